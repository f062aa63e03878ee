package io.stockgrid.grid;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.Limits;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;

/**
 * The entry processors that change a {@link StockRecord}. Each runs on the key's partition thread, never blocks,
 * and is deterministic given its fields (time comes in as {@code nowMs}), so the same processor replays on the backup
 * replica (the default backup processor is the processor itself). Each is idempotent by its request id: a repeat,
 * whether a client retry or Hazelcast re-running an operation after a member left, finds its id on the record and
 * changes nothing. Operating refusals (not enough stock) are result codes; broken invariants throw.
 */
public final class StockProcessors
{
    private StockProcessors()
    {
    }

    abstract static class Base extends JournaledProcessor<StockKey, StockRecord, KeyResult>
    {
        static StockRecord recordOf(final Map.Entry<StockKey, StockRecord> entry)
        {
            final StockRecord record = entry.getValue();
            return record != null ? record : new StockRecord(entry.getKey().getSku(), entry.getKey().getLocation());
        }

        /** Bumps the version, stores the record, journals the change, and answers APPLIED. */
        static KeyResult applied(final Map.Entry<StockKey, StockRecord> entry, final StockRecord record,
            final GridJournal journal, final KeyEffect.Kind kind, final String ref, final long quantity,
            final long expiresAtMs, final long atMs)
        {
            record.nextVersion();
            entry.setValue(record);
            if (journal != null && !record.journaledHere())
            {
                // First change here to a record this member gained: journal it whole instead of the change.
                journal.appendKeySnapshot(record.snapshot());
                record.markJournaledHere();
            }
            else if (journal != null)
            {
                journal.appendEffect(new KeyEffect(record.getSku(), record.getLocation(), record.version(),
                    record.onHand(), record.safetyStock(), record.reserved(), kind, ref, quantity, expiresAtMs, atMs));
            }
            else
            {
                // Applied as a backup (or with no journal): changes this member did not journal. Should it become
                // the owner again, its next change must journal the record whole.
                record.clearJournaledHere();
            }
            return new KeyResult(KeyResult.Code.APPLIED, true, record, quantity);
        }

        static KeyResult unchanged(final KeyResult.Code code, final StockRecord record, final long quantity)
        {
            return new KeyResult(code, false, record, quantity);
        }
    }

    /** Sets the absolute onHand (and safetyStock unless -1) from an ERP/WMS snapshot; holds stay. */
    public static final class SetStock extends Base
    {
        private long onHand;
        private long safetyStock;

        public SetStock()
        {
        }

        public SetStock(final long onHand, final long safetyStock)
        {
            this.onHand = onHand;
            this.safetyStock = safetyStock;
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = recordOf(entry);
            record.setOnHand(onHand);
            if (safetyStock >= 0)
            {
                record.setSafetyStock(safetyStock);
            }
            return applied(entry, record, journal, KeyEffect.Kind.SET, "", 0, 0, 0);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.SET_STOCK;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeLong(onHand);
            out.writeLong(safetyStock);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            onHand = in.readLong();
            safetyStock = in.readLong();
        }
    }

    /** Adds a signed delta to onHand once per eventId; refuses a change that leaves onHand out of range. */
    public static final class Adjust extends Base
    {
        private String eventId;
        private long delta;
        private long nowMs;
        private long retentionMs;

        public Adjust()
        {
        }

        public Adjust(final String eventId, final long delta, final long nowMs, final long retentionMs)
        {
            this.eventId = eventId;
            this.delta = delta;
            this.nowMs = nowMs;
            this.retentionMs = retentionMs;
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = recordOf(entry);
            final String seenKey = RecoveredState.adjustKey(eventId);
            final StockRecord.Seen seen = record.seen(seenKey);
            if (seen != null)
            {
                return unchanged(seen.fingerprint() == RecoveredState.adjustFingerprint(delta) ?
                    KeyResult.Code.DUPLICATE : KeyResult.Code.FINGERPRINT_MISMATCH, record, delta);
            }
            final long next = record.onHand() + delta;
            if (next < 0)
            {
                return unchanged(KeyResult.Code.NEGATIVE_STOCK, record, delta);
            }
            if (next > Limits.STOCK_MAX)
            {
                return unchanged(KeyResult.Code.STOCK_LIMIT, record, delta);
            }
            record.setOnHand(next);
            record.remember(seenKey, nowMs, RecoveredState.adjustFingerprint(delta), retentionMs);
            return applied(entry, record, journal, KeyEffect.Kind.ADJUST, eventId, delta, 0, nowMs);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.ADJUST;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(eventId);
            out.writeLong(delta);
            out.writeLong(nowMs);
            out.writeLong(retentionMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            eventId = in.readString();
            delta = in.readLong();
            nowMs = in.readLong();
            retentionMs = in.readLong();
        }
    }

    /** Records a customer return once per returnId; RESTOCK adds the units to onHand, DAMAGED only records it. */
    public static final class Return extends Base
    {
        private String returnId;
        private long quantity;
        private boolean restock;
        private long nowMs;
        private long retentionMs;

        public Return()
        {
        }

        public Return(final String returnId, final long quantity, final boolean restock, final long nowMs,
            final long retentionMs)
        {
            this.returnId = returnId;
            this.quantity = quantity;
            this.restock = restock;
            this.nowMs = nowMs;
            this.retentionMs = retentionMs;
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = recordOf(entry);
            final long fingerprint = RecoveredState.returnFingerprint(quantity, restock);
            final String seenKey = RecoveredState.returnKey(returnId);
            final StockRecord.Seen seen = record.seen(seenKey);
            if (seen != null)
            {
                return unchanged(seen.fingerprint() == fingerprint ?
                    KeyResult.Code.DUPLICATE : KeyResult.Code.FINGERPRINT_MISMATCH, record, quantity);
            }
            if (restock)
            {
                if (record.onHand() + quantity > Limits.STOCK_MAX)
                {
                    return unchanged(KeyResult.Code.STOCK_LIMIT, record, quantity);
                }
                record.setOnHand(record.onHand() + quantity);
            }
            record.remember(seenKey, nowMs, fingerprint, retentionMs);
            return applied(entry, record, journal,
                restock ? KeyEffect.Kind.RETURN_RESTOCK : KeyEffect.Kind.RETURN_DAMAGED, returnId, quantity, 0, nowMs);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.RETURN;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(returnId);
            out.writeLong(quantity);
            out.writeBoolean(restock);
            out.writeLong(nowMs);
            out.writeLong(retentionMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            returnId = in.readString();
            quantity = in.readLong();
            restock = in.readBoolean();
            nowMs = in.readLong();
            retentionMs = in.readLong();
        }
    }

    /**
     * Holds {@code quantity} for a reservation if that much is available. This is where no-oversell is decided: a
     * hold is added only when {@code onHand - reserved - safetyStock >= quantity}. The hold is tagged with the call's
     * attempt; the same attempt again (Hazelcast re-running the operation) finds it ALREADY_HELD, another attempt
     * under the same reservationId finds a CONFLICT and changes nothing.
     */
    public static final class Hold extends Base
    {
        private String reservationId;
        private long quantity;
        private long expiresAtMs;
        private long attempt;

        public Hold()
        {
        }

        public Hold(final String reservationId, final long quantity, final long expiresAtMs)
        {
            this(reservationId, quantity, expiresAtMs, 0);
        }

        public Hold(final String reservationId, final long quantity, final long expiresAtMs, final long attempt)
        {
            this.reservationId = reservationId;
            this.quantity = quantity;
            this.expiresAtMs = expiresAtMs;
            this.attempt = attempt;
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = entry.getValue();
            if (record == null)
            {
                return unchanged(KeyResult.Code.SHORT, null, 0);
            }
            final StockRecord.Hold existing = record.hold(reservationId);
            if (existing != null)
            {
                return unchanged(existing.attempt() == attempt ? KeyResult.Code.ALREADY_HELD :
                    KeyResult.Code.CONFLICT, record, existing.quantity());
            }
            // The decision: the units left after this hold must not be negative.
            final long headroom = record.onHand() - record.reserved() - record.safetyStock();
            if (headroom < quantity)
            {
                return unchanged(KeyResult.Code.SHORT, record, Math.max(0, headroom));
            }
            record.addHold(reservationId, quantity, expiresAtMs, attempt);
            assert record.onHand() - record.reserved() - record.safetyStock() >= 0 : record;
            return applied(entry, record, journal, KeyEffect.Kind.HOLD, reservationId, quantity, expiresAtMs, 0);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.HOLD;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(reservationId);
            out.writeLong(quantity);
            out.writeLong(expiresAtMs);
            out.writeLong(attempt);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            reservationId = in.readString();
            quantity = in.readLong();
            expiresAtMs = in.readLong();
            attempt = in.readLong();
        }
    }

    /**
     * Returns a reservation's held units to availability: a release or compensation (kind RELEASE) or an expiry
     * (kind EXPIRE); the kind only names the change in the journal.
     * <p>
     * Unconditional, it releases whatever hold is under the id: right once the reservation's record has been decided
     * (HELD then released or expired), as no new call can begin that id for as long as the record is remembered.
     * Everyone else releases conditionally: {@link #ofAttempt} only the hold a given attempt placed (a failed call's
     * compensation, the sweep finishing a call whose member left), {@link #ifOverdue} only a hold that expired by a
     * cutoff (the leftover scan). Their view of the reservation may be stale: a retry may since have begun afresh and
     * placed its own hold, which they must leave.
     */
    public static final class ReleaseHold extends Base
    {
        private static final byte ANY = 0;
        private static final byte ATTEMPT = 1;
        private static final byte OVERDUE = 2;

        private String reservationId;
        private KeyEffect.Kind kind;
        private byte condition;
        /** The attempt (ATTEMPT) or the expiry cutoff (OVERDUE). */
        private long operand;

        public ReleaseHold()
        {
        }

        public ReleaseHold(final String reservationId)
        {
            this(reservationId, KeyEffect.Kind.RELEASE);
        }

        public ReleaseHold(final String reservationId, final KeyEffect.Kind kind)
        {
            this(reservationId, kind, ANY, 0);
        }

        private ReleaseHold(final String reservationId, final KeyEffect.Kind kind, final byte condition,
            final long operand)
        {
            if (kind != KeyEffect.Kind.RELEASE && kind != KeyEffect.Kind.EXPIRE)
            {
                throw new IllegalArgumentException("a hold is released or expired, not " + kind);
            }
            this.reservationId = reservationId;
            this.kind = kind;
            this.condition = condition;
            this.operand = operand;
        }

        /** Releases the reservation's hold only if {@code attempt} placed it. */
        public static ReleaseHold ofAttempt(final String reservationId, final KeyEffect.Kind kind, final long attempt)
        {
            return new ReleaseHold(reservationId, kind, ATTEMPT, attempt);
        }

        /** Releases the reservation's hold only if it expired at or before {@code cutoffMs}. */
        public static ReleaseHold ifOverdue(final String reservationId, final KeyEffect.Kind kind,
            final long cutoffMs)
        {
            return new ReleaseHold(reservationId, kind, OVERDUE, cutoffMs);
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = entry.getValue();
            final StockRecord.Hold held = record == null ? null : record.hold(reservationId);
            if (held == null || (condition == ATTEMPT && held.attempt() != operand)
                || (condition == OVERDUE && held.expiresAtMs() > operand))
            {
                return unchanged(KeyResult.Code.NO_HOLD, record, 0);
            }
            final StockRecord.Hold hold = record.removeHold(reservationId);
            return applied(entry, record, journal, kind, reservationId, hold.quantity(), 0, 0);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.RELEASE_HOLD;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(reservationId);
            out.writeByte(kind.code());
            out.writeByte(condition);
            out.writeLong(operand);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            reservationId = in.readString();
            kind = KeyEffect.Kind.of(in.readByte());
            condition = in.readByte();
            operand = in.readLong();
        }
    }

    /**
     * Turns a reservation's hold into a sale: the units leave both reserved and onHand. onHand is floored at zero:
     * if an ERP snapshot lowered onHand below what was already promised, the promise still stands.
     */
    public static final class CommitHold extends Base
    {
        private String reservationId;

        public CommitHold()
        {
        }

        public CommitHold(final String reservationId)
        {
            this.reservationId = reservationId;
        }

        KeyResult apply(final Map.Entry<StockKey, StockRecord> entry, final GridJournal journal)
        {
            final StockRecord record = entry.getValue();
            if (record == null || record.hold(reservationId) == null)
            {
                return unchanged(KeyResult.Code.NO_HOLD, record, 0);
            }
            final StockRecord.Hold hold = record.removeHold(reservationId);
            record.setOnHand(Math.max(0, record.onHand() - hold.quantity()));
            return applied(entry, record, journal, KeyEffect.Kind.COMMIT, reservationId, hold.quantity(), 0, 0);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.COMMIT_HOLD;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeString(reservationId);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            reservationId = in.readString();
        }
    }

    /** Read-only: the record's scalars, without copying its holds (a hot key may carry many). */
    public static final class View
        implements EntryProcessor<StockKey, StockRecord, KeyResult>, IdentifiedDataSerializable, ReadOnly
    {
        public View()
        {
        }

        @Override
        public KeyResult process(final Map.Entry<StockKey, StockRecord> entry)
        {
            return new KeyResult(KeyResult.Code.APPLIED, false, entry.getValue(), 0);
        }

        @Override
        public EntryProcessor<StockKey, StockRecord, KeyResult> getBackupProcessor()
        {
            return null;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.VIEW;
        }

        @Override
        public void writeData(final ObjectDataOutput out)
        {
        }

        @Override
        public void readData(final ObjectDataInput in)
        {
        }
    }

    /** Read-only: the reservation ids of holds on a record that expired at or before {@code cutoffMs}. */
    public static final class ExpiredHoldsScan
        implements EntryProcessor<StockKey, StockRecord, ArrayList<String>>, IdentifiedDataSerializable, ReadOnly
    {
        private long cutoffMs;

        public ExpiredHoldsScan()
        {
        }

        public ExpiredHoldsScan(final long cutoffMs)
        {
            this.cutoffMs = cutoffMs;
        }

        @Override
        public ArrayList<String> process(final Map.Entry<StockKey, StockRecord> entry)
        {
            final ArrayList<String> ids = new ArrayList<>();
            final StockRecord record = entry.getValue();
            if (record != null)
            {
                for (final Map.Entry<String, StockRecord.Hold> h : record.holds().entrySet())
                {
                    if (h.getValue().expiresAtMs() <= cutoffMs)
                    {
                        ids.add(h.getKey());
                    }
                }
            }
            return ids;
        }

        @Override
        public EntryProcessor<StockKey, StockRecord, ArrayList<String>> getBackupProcessor()
        {
            return null;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.EXPIRED_HOLDS_SCAN;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeLong(cutoffMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            cutoffMs = in.readLong();
        }
    }
}
