package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.ShortLine;
import net.openhft.chronicle.bytes.Bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Byte layout of journal records. Every record is one Chronicle Queue document:
 *
 * <pre>
 * COMMAND record (written before the grid is touched)
 *   +0   byte   recordType = 1
 *   +1   long   seq            journal-assigned, increasing
 *   +9   long   atMs           epoch ms the ingest accepted it
 *   +17  byte   commandType    see CMD_*
 *   +18  ...    command fields (strings are stop-bit length + UTF-8)
 *   then   utf8   caller         the API key id of the call ("" = none). Added after session 8: a record of an older
 *                                journal ends before it, and is read as made by no caller.
 *
 * EFFECT record (written by the grid, on the key's partition thread, as the change is made)
 *   +0   byte   recordType = 3
 *   +1   long   seq = 0
 *   +9   long   atMs           wall clock at append (informational)
 *   +17  byte   commandType = 0
 *   +18  ...    one key effect
 *
 * RESERVATION record (written by the grid, on the reservation's partition thread, as its record changes)
 *   +0   byte   recordType = 4
 *   +1   long   seq = 0
 *   +9   long   atMs           wall clock at append (informational)
 *   +17  byte   commandType = 0
 *   +18  byte   removed        1 when the record was deleted (an abandoned PENDING reservation)
 *   +19  ...    the reservation state; its last field, createdBy (utf8, "" = none), was added after session 8:
 *               an older record ends before it and is read as created by no caller
 *
 * KEY_SNAPSHOT record (written by the grid: the whole record, when this member first changes a record it gained
 * by migration, promotion or restore, and for every record the member owns during a periodic snapshot)
 *   +0   byte   recordType = 5
 *   +1   long   seq = 0
 *   +9   long   atMs
 *   +17  byte   commandType = 0
 *   +18  ...    sku, location, onHand, safetyStock, version, holds (int count; id, quantity, expiresAtMs each),
 *               seen requests (int count; id, atMs, fingerprint each)
 *
 * RESET record (everything before it in this journal is superseded: the member joined a running cluster, or
 * rejoined one after a split, and took the cluster's state)
 *   +0   byte   recordType = 6
 *   +1   long   seq            the last command seq used so far
 *   +9   long   atMs
 *   +17  byte   commandType = 0
 *   +18  utf8   reason
 *
 * SNAPSHOT_MARK record (a periodic snapshot begins or ends; replay needs nothing from it, retention does)
 *   +0   byte   recordType = 7
 *   +1   long   seq            the last command seq used so far
 *   +9   long   atMs
 *   +17  byte   commandType = 0
 *   +18  byte   1 at the beginning, 2 at the end
 *   +19  long   records written (at the end)
 *
 * OUTCOME record (written after the grid answered, before the client is answered: the acknowledgement mark, and in
 * SYNC durability the point everything before it is synced to; what the call changed is in the grid's EFFECT and
 * RESERVATION records, so the outcome does not repeat it. Journals of session 6 and before carry a code, the
 * reservation states and the effects after these fields; replay reads only the fields below, so it reads both.)
 *   +0   byte   recordType = 2
 *   +1   long   seq            of the command it answers
 *   +9   long   atMs
 *   +17  byte   commandType
 * </pre>
 */
final class JournalCodec
{
    static final byte RECORD_COMMAND = 1;
    static final byte RECORD_OUTCOME = 2;
    static final byte RECORD_EFFECT = 3;
    static final byte RECORD_RESERVATION = 4;
    static final byte RECORD_KEY_SNAPSHOT = 5;
    static final byte RECORD_RESET = 6;
    static final byte RECORD_SNAPSHOT_MARK = 7;

    static final byte CMD_SET_STOCK = 1;
    static final byte CMD_ADJUST = 2;
    static final byte CMD_RETURN = 3;
    static final byte CMD_RESERVE = 4;
    static final byte CMD_COMMIT = 5;
    static final byte CMD_RELEASE = 6;
    static final byte CMD_SWEEP = 7;

    /** Bounds applied when decoding, so a damaged record cannot make replay allocate without limit. */
    static final int MAX_LIST = 1_000_000;

    private JournalCodec()
    {
    }

    static byte commandType(final Object command)
    {
        if (command instanceof Commands.SetStock)
        {
            return CMD_SET_STOCK;
        }
        if (command instanceof Commands.Adjust)
        {
            return CMD_ADJUST;
        }
        if (command instanceof Commands.Return)
        {
            return CMD_RETURN;
        }
        if (command instanceof Commands.Reserve)
        {
            return CMD_RESERVE;
        }
        if (command instanceof Commands.Settle settle)
        {
            return settle.action() == Commands.SettleAction.COMMIT ? CMD_COMMIT : CMD_RELEASE;
        }
        throw new IllegalArgumentException("not a command: " + command);
    }

    static void encodeCommand(final Bytes<?> out, final long seq, final long atMs, final Object command,
        final String caller)
    {
        final byte type = commandType(command);
        out.writeByte(RECORD_COMMAND);
        out.writeLong(seq);
        out.writeLong(atMs);
        out.writeByte(type);
        switch (type)
        {
            case CMD_SET_STOCK ->
            {
                final Commands.SetStock c = (Commands.SetStock)command;
                out.writeUtf8(c.sku());
                out.writeUtf8(c.location());
                out.writeLong(c.onHand());
                out.writeLong(c.safetyStock());
            }
            case CMD_ADJUST ->
            {
                final Commands.Adjust c = (Commands.Adjust)command;
                out.writeUtf8(c.sku());
                out.writeUtf8(c.location());
                out.writeUtf8(c.eventId());
                out.writeLong(c.delta());
                out.writeUtf8(nonNull(c.reason()));
            }
            case CMD_RETURN ->
            {
                final Commands.Return c = (Commands.Return)command;
                out.writeUtf8(c.returnId());
                out.writeUtf8(c.sku());
                out.writeUtf8(c.location());
                out.writeLong(c.quantity());
                out.writeByte((byte)c.disposition().journalCode());
            }
            case CMD_RESERVE ->
            {
                final Commands.Reserve c = (Commands.Reserve)command;
                out.writeUtf8(c.reservationId());
                out.writeInt(c.ttlSeconds());
                out.writeUtf8(nonNull(c.correlationId()));
                out.writeUtf8(c.fingerprint());
                writeLines(out, c.lines());
            }
            default -> out.writeUtf8(((Commands.Settle)command).reservationId());
        }
        out.writeUtf8(nonNull(caller));
    }

    /**
     * The caller field that ends a command record (after {@link #decodeCommand}), or null: none was recorded, or the
     * record predates the field (it then ends here).
     */
    static String readCaller(final Bytes<?> in)
    {
        return in.readRemaining() > 0 ? nullIfEmpty(in.readUtf8()) : null;
    }

    /**
     * Decodes a command's fields after the 18-byte header, and its caller (a reservation's becomes its
     * {@code createdBy}); used by replay to finish or report commands left in doubt.
     */
    static Object decodeCommand(final Bytes<?> in, final byte type)
    {
        final Object command = decodeCommandFields(in, type);
        final String caller = readCaller(in);
        if (caller != null && command instanceof Commands.Reserve r)
        {
            return new Commands.Reserve(r.reservationId(), r.lines(), r.ttlSeconds(), r.correlationId(),
                r.fingerprint(), caller);
        }
        return command;
    }

    /** The command's fields alone, leaving the caller field unread (tests check the two apart). */
    static Object decodeCommandFieldsForTest(final Bytes<?> in, final byte type)
    {
        return decodeCommandFields(in, type);
    }

    private static Object decodeCommandFields(final Bytes<?> in, final byte type)
    {
        return switch (type)
        {
            case CMD_SET_STOCK -> new Commands.SetStock(in.readUtf8(), in.readUtf8(), in.readLong(), in.readLong());
            case CMD_ADJUST -> new Commands.Adjust(in.readUtf8(), in.readUtf8(), in.readUtf8(), in.readLong(),
                in.readUtf8());
            case CMD_RETURN -> new Commands.Return(in.readUtf8(), in.readUtf8(), in.readUtf8(), in.readLong(),
                ReturnDisposition.ofJournalCode(in.readByte()));
            case CMD_RESERVE ->
            {
                final String id = in.readUtf8();
                final int ttl = in.readInt();
                final String correlationId = nullIfEmpty(in.readUtf8());
                final String fingerprint = in.readUtf8();
                yield new Commands.Reserve(id, readLines(in), ttl, correlationId, fingerprint);
            }
            case CMD_COMMIT -> new Commands.Settle(in.readUtf8(), Commands.SettleAction.COMMIT);
            case CMD_RELEASE -> new Commands.Settle(in.readUtf8(), Commands.SettleAction.RELEASE);
            default -> throw new IllegalStateException("unknown command type " + type);
        };
    }

    static void encodeOutcome(final Bytes<?> out, final long seq, final long atMs, final byte commandType)
    {
        out.writeByte(RECORD_OUTCOME);
        out.writeLong(seq);
        out.writeLong(atMs);
        out.writeByte(commandType);
    }

    static void encodeEffect(final Bytes<?> out, final long atMs, final KeyEffect effect)
    {
        out.writeByte(RECORD_EFFECT);
        out.writeLong(0);
        out.writeLong(atMs);
        out.writeByte((byte)0);
        writeEffect(out, effect);
    }

    static void encodeReservation(final Bytes<?> out, final long atMs, final ReservationState state,
        final boolean removed)
    {
        out.writeByte(RECORD_RESERVATION);
        out.writeLong(0);
        out.writeLong(atMs);
        out.writeByte((byte)0);
        out.writeBoolean(removed);
        writeReservation(out, state);
    }

    static void writeReservation(final Bytes<?> out, final ReservationState r)
    {
        out.writeUtf8(r.reservationId());
        out.writeByte((byte)r.phase().code());
        out.writeByte((byte)(r.firstOutcome() == null ? -1 : r.firstOutcome().code()));
        out.writeLong(r.version());
        out.writeLong(r.createdAtMs());
        out.writeLong(r.expiresAtMs());
        out.writeLong(r.retainUntilMs());
        out.writeUtf8(r.fingerprint());
        out.writeUtf8(nonNull(r.correlationId()));
        writeLines(out, r.lines());
        final List<ShortLine> shortLines = r.shortLines();
        out.writeInt(shortLines.size());
        for (int i = 0; i < shortLines.size(); i++) // indexed: no iterator per record on the hot path
        {
            final ShortLine s = shortLines.get(i);
            out.writeUtf8(s.sku());
            out.writeUtf8(s.location());
            out.writeLong(s.quantity());
            out.writeLong(s.available());
        }
        out.writeUtf8(nonNull(r.createdBy()));
    }

    static ReservationState readReservation(final Bytes<?> in)
    {
        final String id = in.readUtf8();
        final ReservationPhase phase = ReservationPhase.of(in.readByte());
        final byte first = in.readByte();
        final long version = in.readLong();
        final long createdAtMs = in.readLong();
        final long expiresAtMs = in.readLong();
        final long retainUntilMs = in.readLong();
        final String fingerprint = in.readUtf8();
        final String correlationId = nullIfEmpty(in.readUtf8());
        final List<ReservationLine> lines = readLines(in);
        final int shortCount = checkedCount(in.readInt());
        final List<ShortLine> shortLines = new ArrayList<>(shortCount);
        for (int i = 0; i < shortCount; i++)
        {
            shortLines.add(new ShortLine(in.readUtf8(), in.readUtf8(), in.readLong(), in.readLong()));
        }
        // A record written before createdBy existed ends here.
        final String createdBy = in.readRemaining() > 0 ? nullIfEmpty(in.readUtf8()) : null;
        return new ReservationState(id, phase, first < 0 ? null : ReservationPhase.of(first), version, createdAtMs,
            expiresAtMs, retainUntilMs, fingerprint, correlationId, List.copyOf(lines), List.copyOf(shortLines),
            createdBy);
    }

    static void encodeKeySnapshot(final Bytes<?> out, final long atMs, final RecoveredState.Key key)
    {
        out.writeByte(RECORD_KEY_SNAPSHOT);
        out.writeLong(0);
        out.writeLong(atMs);
        out.writeByte((byte)0);
        out.writeUtf8(key.sku());
        out.writeUtf8(key.location());
        out.writeLong(key.onHand());
        out.writeLong(key.safetyStock());
        out.writeLong(key.version());
        out.writeInt(key.holds().size());
        for (final RecoveredState.Hold h : key.holds())
        {
            out.writeUtf8(h.reservationId());
            out.writeLong(h.quantity());
            out.writeLong(h.expiresAtMs());
        }
        out.writeInt(key.seen().size());
        for (final RecoveredState.SeenRequest s : key.seen())
        {
            out.writeUtf8(s.id());
            out.writeLong(s.atMs());
            out.writeLong(s.fingerprint());
        }
    }

    static RecoveredState.Key readKeySnapshot(final Bytes<?> in)
    {
        final String sku = in.readUtf8();
        final String location = in.readUtf8();
        final long onHand = in.readLong();
        final long safetyStock = in.readLong();
        final long version = in.readLong();
        final int holdCount = checkedCount(in.readInt());
        final List<RecoveredState.Hold> holds = new ArrayList<>(holdCount);
        for (int i = 0; i < holdCount; i++)
        {
            holds.add(new RecoveredState.Hold(in.readUtf8(), in.readLong(), in.readLong()));
        }
        final int seenCount = checkedCount(in.readInt());
        final List<RecoveredState.SeenRequest> seen = new ArrayList<>(seenCount);
        for (int i = 0; i < seenCount; i++)
        {
            seen.add(new RecoveredState.SeenRequest(in.readUtf8(), in.readLong(), in.readLong()));
        }
        return new RecoveredState.Key(sku, location, onHand, safetyStock, version, holds, seen);
    }

    static void encodeReset(final Bytes<?> out, final long lastSeq, final long atMs, final String reason)
    {
        out.writeByte(RECORD_RESET);
        out.writeLong(lastSeq);
        out.writeLong(atMs);
        out.writeByte((byte)0);
        out.writeUtf8(reason);
    }

    static void encodeSnapshotMark(final Bytes<?> out, final long lastSeq, final long atMs, final boolean begin,
        final long records)
    {
        out.writeByte(RECORD_SNAPSHOT_MARK);
        out.writeLong(lastSeq);
        out.writeLong(atMs);
        out.writeByte((byte)0);
        out.writeByte((byte)(begin ? 1 : 2));
        out.writeLong(records);
    }

    static void writeEffect(final Bytes<?> out, final KeyEffect e)
    {
        out.writeUtf8(e.sku());
        out.writeUtf8(e.location());
        out.writeLong(e.version());
        out.writeLong(e.onHand());
        out.writeLong(e.safetyStock());
        out.writeLong(e.reserved());
        out.writeByte((byte)e.kind().code());
        out.writeUtf8(nonNull(e.ref()));
        out.writeLong(e.quantity());
        out.writeLong(e.expiresAtMs());
        out.writeLong(e.atMs());
    }

    static KeyEffect readEffect(final Bytes<?> in)
    {
        return new KeyEffect(in.readUtf8(), in.readUtf8(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
            KeyEffect.Kind.of(in.readByte()), in.readUtf8(), in.readLong(), in.readLong(), in.readLong());
    }

    static int checkedCount(final int count)
    {
        if (count < 0 || count > MAX_LIST)
        {
            throw new IllegalStateException("journal record count out of range: " + count);
        }
        return count;
    }

    private static void writeLines(final Bytes<?> out, final List<ReservationLine> lines)
    {
        out.writeInt(lines.size());
        for (int i = 0; i < lines.size(); i++) // indexed: no iterator per record on the hot path
        {
            final ReservationLine line = lines.get(i);
            out.writeUtf8(line.sku());
            out.writeUtf8(line.location());
            out.writeLong(line.quantity());
        }
    }

    private static List<ReservationLine> readLines(final Bytes<?> in)
    {
        final int count = checkedCount(in.readInt());
        final List<ReservationLine> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            lines.add(new ReservationLine(in.readUtf8(), in.readUtf8(), in.readLong()));
        }
        return lines;
    }

    private static String nonNull(final String s)
    {
        return s == null ? "" : s;
    }

    private static String nullIfEmpty(final String s)
    {
        return s == null || s.isEmpty() ? null : s;
    }
}
