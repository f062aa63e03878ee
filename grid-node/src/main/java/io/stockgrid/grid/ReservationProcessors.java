package io.stockgrid.grid;

import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.stockgrid.api.ShortLine;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.ReservationLifecycle;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The entry processors that decide a reservation's phase. The reservation record is the single place where commit,
 * release and expiry race, and its partition thread serialises them: whichever runs first wins, the others see the
 * outcome. Each is deterministic given its fields and idempotent, as the stock processors are.
 */
public final class ReservationProcessors
{
    private ReservationProcessors()
    {
    }

    abstract static class Base extends JournaledProcessor<String, ReservationRecord, ReservationResult>
    {
        /**
         * Stores the record with a time-to-live that ends its idempotency memory at {@code retainUntilMs}, and
         * journals its new state. A change the reservation life cycle does not have is refused before anything is
         * stored or journaled ({@link ReservationLifecycle}; on the primary and on the backup alike).
         */
        static void store(final Map.Entry<String, ReservationRecord> entry, final ReservationRecord record,
            final long nowMs, final GridJournal journal)
        {
            final ReservationRecord before = entry.getValue();
            ReservationLifecycle.check(record.state().reservationId(), before == null ? null : before.phase(),
                record.phase());
            if (journal != null)
            {
                journal.appendReservation(record.state(), false);
            }
            putRetained(entry, record, nowMs);
        }

        /** Stores the record, not journaled, with a time-to-live that ends at its {@code retainUntilMs}. */
        static void putRetained(final Map.Entry<String, ReservationRecord> entry, final ReservationRecord record,
            final long nowMs)
        {
            final long ttlMs = Math.max(1, record.state().retainUntilMs() - nowMs);
            if (entry instanceof ExtendedMapEntry<String, ReservationRecord> extended)
            {
                extended.setValue(record, ttlMs, TimeUnit.MILLISECONDS);
            }
            else
            {
                entry.setValue(record);
            }
        }

        static ReservationResult result(final ReservationResult.Code code, final ReservationRecord record)
        {
            return record == null ? new ReservationResult(code, null) :
                new ReservationResult(code, record.state(), record.attempt());
        }
    }

    /**
     * Starts a reservation: creates its PENDING record, or reports the one that exists (the same request again, or a
     * different request reusing the id).
     */
    public static final class Begin extends Base implements CreatesRecord
    {
        private ReservationState pending;
        private long nowMs;
        private String coordinator;
        private long attempt;

        public Begin()
        {
        }

        public Begin(final ReservationState pending, final long nowMs)
        {
            this(pending, nowMs, null, 0);
        }

        /**
         * @param coordinator node id of the member whose call makes the reservation.
         * @param attempt     the call's random tag, carried by every hold it places.
         */
        public Begin(final ReservationState pending, final long nowMs, final String coordinator, final long attempt)
        {
            this.pending = pending;
            this.nowMs = nowMs;
            this.coordinator = coordinator;
            this.attempt = attempt;
        }

        @Override
        public Object refusedAtCapacity()
        {
            return result(ReservationResult.Code.FULL, null);
        }

        ReservationResult apply(final Map.Entry<String, ReservationRecord> entry, final GridJournal journal)
        {
            final ReservationRecord existing = entry.getValue();
            // Start afresh if there is no record, if its memory has run out, or if it ended (expired) without its
            // creating call ever answering: nothing was promised under this id, and its holds were returned.
            if (existing == null || (!existing.phase().holdsStock()
                && (existing.state().retainUntilMs() < nowMs || existing.state().firstOutcome() == null)))
            {
                final ReservationRecord created = new ReservationRecord(pending, coordinator, attempt);
                store(entry, created, nowMs, journal);
                // The caller holds the state it sent: answering it back would only serialise it twice more.
                return result(ReservationResult.Code.CREATED, null);
            }
            if (attempt != 0 && existing.attempt() == attempt && existing.phase() == ReservationPhase.PENDING)
            {
                // This call's own Begin, run again by Hazelcast (a member left mid-call): not another call's.
                return result(ReservationResult.Code.CREATED, null);
            }
            return result(existing.state().fingerprint().equals(pending.fingerprint()) ?
                ReservationResult.Code.EXISTS : ReservationResult.Code.MISMATCH, existing);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.BEGIN_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            ReservationRecord.writeState(out, pending);
            out.writeLong(nowMs);
            out.writeString(coordinator);
            out.writeLong(attempt);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            pending = ReservationRecord.readState(in);
            nowMs = in.readLong();
            coordinator = in.readString();
            attempt = in.readLong();
        }
    }

    /**
     * Ends the PENDING window with the outcome of the holds: HELD, or REJECTED with the short lines. If the record
     * left PENDING meanwhile (the sweep expired it), only the first outcome is recorded and NOT_ALLOWED is answered,
     * so the caller returns its holds. A record another attempt began (this call's was forgotten meanwhile, and a
     * retry began afresh) is not this call's to finish: NOT_FOUND, and nothing changes.
     */
    public static final class Finish extends Base
    {
        private ReservationPhase outcome;
        private List<ShortLine> shortLines;
        private long nowMs;
        private long attempt;

        public Finish()
        {
        }

        public Finish(final ReservationPhase outcome, final List<ShortLine> shortLines, final long nowMs)
        {
            this(outcome, shortLines, nowMs, 0);
        }

        public Finish(final ReservationPhase outcome, final List<ShortLine> shortLines, final long nowMs,
            final long attempt)
        {
            this.outcome = outcome;
            this.shortLines = shortLines;
            this.nowMs = nowMs;
            this.attempt = attempt;
        }

        ReservationResult apply(final Map.Entry<String, ReservationRecord> entry, final GridJournal journal)
        {
            final ReservationRecord record = entry.getValue();
            if (record == null || record.attempt() != attempt)
            {
                return result(ReservationResult.Code.NOT_FOUND, record);
            }
            final ReservationState s = record.state();
            if (s.phase() == ReservationPhase.PENDING)
            {
                final ReservationRecord finished = record.with(outcome, outcome, shortLines);
                store(entry, finished, nowMs, journal);
                return result(ReservationResult.Code.TRANSITIONED, finished);
            }
            if (s.firstOutcome() == null)
            {
                final ReservationRecord noted = record.with(s.phase(), outcome, shortLines);
                store(entry, noted, nowMs, journal);
                return result(ReservationResult.Code.NOT_ALLOWED, noted);
            }
            return result(ReservationResult.Code.ALREADY, record);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.FINISH_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeByte(outcome.code());
            out.writeLong(nowMs);
            out.writeLong(attempt);
            out.writeInt(shortLines.size());
            for (final ShortLine line : shortLines)
            {
                out.writeString(line.sku());
                out.writeString(line.location());
                out.writeLong(line.quantity());
                out.writeLong(line.available());
            }
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            outcome = ReservationPhase.of(in.readByte());
            nowMs = in.readLong();
            attempt = in.readLong();
            final int count = in.readInt();
            final List<ShortLine> lines = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                lines.add(new ShortLine(in.readString(), in.readString(), in.readLong(), in.readLong()));
            }
            shortLines = List.copyOf(lines);
        }
    }

    /**
     * Commit or release: HELD moves to the target phase if not yet expired; a HELD reservation past its expiry is
     * expired here and then (EXPIRED_NOW), so a late commit can never take units the sweep is about to return.
     */
    public static final class Settle extends Base
    {
        private ReservationPhase target;
        private long nowMs;

        public Settle()
        {
        }

        public Settle(final ReservationPhase target, final long nowMs)
        {
            this.target = target;
            this.nowMs = nowMs;
        }

        ReservationResult apply(final Map.Entry<String, ReservationRecord> entry, final GridJournal journal)
        {
            final ReservationRecord record = entry.getValue();
            if (record == null)
            {
                return result(ReservationResult.Code.NOT_FOUND, null);
            }
            final ReservationPhase phase = record.phase();
            if (phase == target)
            {
                return result(ReservationResult.Code.ALREADY, record);
            }
            if (phase != ReservationPhase.HELD)
            {
                return result(ReservationResult.Code.NOT_ALLOWED, record);
            }
            if (nowMs >= record.state().expiresAtMs())
            {
                final ReservationRecord expired = record.with(ReservationPhase.EXPIRED, record.state().firstOutcome(),
                    record.state().shortLines());
                store(entry, expired, nowMs, journal);
                return result(ReservationResult.Code.EXPIRED_NOW, expired);
            }
            final ReservationRecord settled = record.with(target, record.state().firstOutcome(),
                record.state().shortLines());
            store(entry, settled, nowMs, journal);
            return result(ReservationResult.Code.TRANSITIONED, settled);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.SETTLE_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeByte(target.code());
            out.writeLong(nowMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            target = ReservationPhase.of(in.readByte());
            nowMs = in.readLong();
        }
    }

    /** The sweep's step: a HELD (or stuck PENDING) reservation at or past its expiry becomes EXPIRED. */
    public static final class Expire extends Base
    {
        private long nowMs;

        public Expire()
        {
        }

        public Expire(final long nowMs)
        {
            this.nowMs = nowMs;
        }

        ReservationResult apply(final Map.Entry<String, ReservationRecord> entry, final GridJournal journal)
        {
            final ReservationRecord record = entry.getValue();
            if (record == null)
            {
                return result(ReservationResult.Code.NOT_FOUND, null);
            }
            if (!record.phase().holdsStock() || nowMs < record.state().expiresAtMs())
            {
                return result(ReservationResult.Code.NOT_ALLOWED, record);
            }
            final ReservationRecord expired = record.with(ReservationPhase.EXPIRED, record.state().firstOutcome(),
                record.state().shortLines());
            store(entry, expired, nowMs, journal);
            return result(ReservationResult.Code.TRANSITIONED, expired);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.EXPIRE_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeLong(nowMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            nowMs = in.readLong();
        }
    }

    /**
     * Forgets a PENDING reservation whose holds were returned, so a retry starts afresh; only if the given attempt
     * began it: whoever abandons a reservation read its record earlier, and a retry may have begun another since.
     */
    public static final class Abandon extends Base
    {
        private long attempt;

        public Abandon()
        {
        }

        public Abandon(final long attempt)
        {
            this.attempt = attempt;
        }

        ReservationResult apply(final Map.Entry<String, ReservationRecord> entry, final GridJournal journal)
        {
            final ReservationRecord record = entry.getValue();
            if (record == null || record.phase() != ReservationPhase.PENDING || record.attempt() != attempt)
            {
                return result(ReservationResult.Code.NOT_ALLOWED, record);
            }
            entry.setValue(null);
            if (journal != null)
            {
                journal.appendReservation(record.state(), true);
            }
            return result(ReservationResult.Code.TRANSITIONED, record);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.ABANDON_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeLong(attempt);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            attempt = in.readLong();
        }
    }
}
