package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.ReservationState;

import java.io.IOException;
import java.util.Map;

/**
 * Entry processors that move whole records between journals and the grid: restoring a journaled record into the
 * grid when it is newer than what the grid holds (several members restore their journals into one cluster after a
 * full restart, so the newest version of each record wins), and journaling whole records for a snapshot.
 */
public final class RecordSnapshots
{
    private RecordSnapshots()
    {
    }

    /** The later of two states of one reservation id (an id reused after retention starts a new reservation). */
    static boolean isLater(final ReservationState candidate, final ReservationState current)
    {
        if (candidate.createdAtMs() != current.createdAtMs())
        {
            return candidate.createdAtMs() > current.createdAtMs();
        }
        return candidate.version() > current.version();
    }

    /** Puts a journaled stock record unless the grid already holds that version or a later one. Not journaled. */
    public static final class RestoreStock implements EntryProcessor<StockKey, StockRecord, Boolean>,
        IdentifiedDataSerializable
    {
        private StockRecord record;

        public RestoreStock()
        {
        }

        public RestoreStock(final StockRecord record)
        {
            this.record = record;
        }

        @Override
        public Boolean process(final Map.Entry<StockKey, StockRecord> entry)
        {
            final StockRecord current = entry.getValue();
            if (current != null && current.version() >= record.version())
            {
                return Boolean.FALSE;
            }
            // A fresh object on every replica: its first change here journals it whole.
            entry.setValue(StockRecord.of(record.snapshot()));
            return Boolean.TRUE;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.RESTORE_STOCK;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeObject(record);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            record = in.readObject();
        }
    }

    /** Puts a journaled reservation unless the grid holds the same or a later state of it. Not journaled. */
    public static final class RestoreReservation implements EntryProcessor<String, ReservationRecord, Boolean>,
        IdentifiedDataSerializable
    {
        private ReservationRecord record;
        private long nowMs;

        public RestoreReservation()
        {
        }

        public RestoreReservation(final ReservationState state, final long nowMs)
        {
            this.record = new ReservationRecord(state);
            this.nowMs = nowMs;
        }

        @Override
        public Boolean process(final Map.Entry<String, ReservationRecord> entry)
        {
            final ReservationRecord current = entry.getValue();
            if (current != null && !isLater(record.state(), current.state()))
            {
                return Boolean.FALSE;
            }
            ReservationProcessors.Base.putRetained(entry, new ReservationRecord(record.state()), nowMs);
            return Boolean.TRUE;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.RESTORE_RESERVATION;
        }

        @Override
        public void writeData(final ObjectDataOutput out) throws IOException
        {
            out.writeObject(record);
            out.writeLong(nowMs);
        }

        @Override
        public void readData(final ObjectDataInput in) throws IOException
        {
            record = in.readObject();
            nowMs = in.readLong();
        }
    }

    /**
     * Journals a whole record on its partition thread, in order with its changes, and changes nothing; no backup
     * runs it. Entries without a record journal nothing.
     */
    abstract static class Snapshot<K, V> implements EntryProcessor<K, V, Boolean>, IdentifiedDataSerializable,
        HazelcastInstanceAware, ReadOnly
    {
        private transient GridJournal journal;

        @Override
        public void setHazelcastInstance(final HazelcastInstance hazelcast)
        {
            journal = JournaledProcessor.journalOf(hazelcast);
        }

        @Override
        public Boolean process(final Map.Entry<K, V> entry)
        {
            final V record = entry.getValue();
            if (record == null || journal == null)
            {
                return Boolean.FALSE;
            }
            journal(record, journal);
            return Boolean.TRUE;
        }

        abstract void journal(V record, GridJournal journal);

        @Override
        public EntryProcessor<K, V, Boolean> getBackupProcessor()
        {
            return null;
        }

        @Override
        public int getFactoryId()
        {
            return GridSerializers.FACTORY_ID;
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

    /** Journals a stock record whole; from then on this member's journal holds it. */
    public static final class SnapshotStock extends Snapshot<StockKey, StockRecord>
    {
        @Override
        void journal(final StockRecord record, final GridJournal journal)
        {
            journal.appendKeySnapshot(record.snapshot());
            record.markJournaledHere();
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.SNAPSHOT_STOCK;
        }
    }

    /** Journals a reservation's whole state. */
    public static final class SnapshotReservation extends Snapshot<String, ReservationRecord>
    {
        @Override
        void journal(final ReservationRecord record, final GridJournal journal)
        {
            journal.appendReservation(record.state(), false);
        }

        @Override
        public int getClassId()
        {
            return GridSerializers.SNAPSHOT_RESERVATION;
        }
    }
}
