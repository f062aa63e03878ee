package io.stockgrid.ingest;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The journal: a Chronicle Queue in {@code <data-dir>/journal}. The ingest appends a command before the grid is
 * touched, and its outcome (with the key versions it produced) after the grid answered and before the client is
 * answered. The grid appends every change it makes to a stock or reservation record, as it makes it, from the
 * record's partition thread: that is the redo log replay rebuilds state from. Appends from many threads share one appender under a lock: an append is a memory copy into a mapped
 * file (well under a microsecond), so the lock is held briefly.
 */
public final class Journal implements GridJournal, AutoCloseable
{
    /** How far an append must get before the caller is answered. */
    public enum Durability
    {
        /** Written to the memory-mapped file: survives a process crash (kill -9), not an OS crash. */
        MAPPED,
        /**
         * Also msync'd before the caller is answered: survives an OS crash. Concurrent outcomes share one msync
         * (group commit); the grid's own records and commands are covered by the msync of the outcome after them.
         */
        SYNC
    }

    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Durability durability;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong nextSeq;
    private final LongAdder appends = new LongAdder();
    private final LongAdder syncs = new LongAdder();
    private final LongAdder keySnapshots = new LongAdder();
    private final Object syncMonitor = new Object();
    /** Records appended; guarded by {@link #lock}. */
    private long appended;
    /** Records known to be on disk; guarded by {@link #syncMonitor}. */
    private long syncedUpTo;
    private boolean syncing;
    private final Path dir;

    public Journal(final Path dir, final Durability durability, final long lastSeq)
    {
        this.dir = dir;
        this.durability = durability;
        this.queue = SingleChronicleQueueBuilder.binary(dir.toFile()).rollCycle(rollCycle()).build();
        this.appender = queue.createAppender();
        // One appender shared by the threads that finish requests, always under the lock below.
        this.appender.singleThreadedCheckDisabled(true);
        this.nextSeq = new AtomicLong(lastSeq + 1);
    }

    /** Tries to take the lock this many times, spinning between tries, before queueing on it (see {@link #acquire}). */
    private static final int LOCK_SPINS = 256;

    /**
     * Takes the append lock, spinning briefly before queueing: an append holds it for about a microsecond, while a
     * thread that queues on a held lock sleeps in the kernel and must be woken by the holder's unlock, and on this
     * virtualised machine that sleep and wake-up cost more than the append (with the doors' and the partition
     * threads' appends contending, about a tenth of the node's CPU at peak; docs/benchmarks.md, "Session 9"). The
     * spin is bounded, so a holder that lost its core costs a few microseconds of spinning, then the usual queueing.
     */
    private void acquire()
    {
        if (lock.tryLock())
        {
            return;
        }
        for (int i = 0; i < LOCK_SPINS; i++)
        {
            Thread.onSpinWait();
            if (!lock.isLocked() && lock.tryLock())
            {
                return;
            }
        }
        lock.lock();
    }

    /** Property naming the roll cycle of new journals: ten-minute files by default (retention deletes whole files). */
    public static final String ROLL_CYCLE_PROPERTY = "stockgrid.journal.rollCycle";

    /** The roll cycle for a new journal (an existing one keeps the cycle it was created with). */
    public static RollCycle rollCycle()
    {
        final String name = System.getProperty(ROLL_CYCLE_PROPERTY, "TEN_MINUTELY");
        for (final RollCycles c : RollCycles.values())
        {
            if (c.name().equals(name))
            {
                return c;
            }
        }
        return TestRollCycles.valueOf(name);
    }

    public static Path directory(final Path dataDir)
    {
        return dataDir.resolve("journal");
    }

    /** Appends a command made without a caller (no authentication); see {@link #appendCommand(Object, long, String)}. */
    public long appendCommand(final Object command, final long atMs)
    {
        return appendCommand(command, atMs,
            command instanceof Commands.Reserve r ? r.createdBy() : null);
    }

    /**
     * Appends a command with the caller's API key id (null: none); returns its sequence number, which the outcome
     * refers to.
     */
    public long appendCommand(final Object command, final long atMs, final String caller)
    {
        acquire();
        try
        {
            final long seq = nextSeq.getAndIncrement();
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeCommand(dc.wire().bytes(), seq, atMs, command, caller);
            }
            appended++;
            appends.increment();
            return seq;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Appends an outcome. In SYNC mode, returns only once the outcome, and everything appended before it, is on
     * disk: concurrent callers share one msync (group commit).
     */
    public void appendOutcome(final long seq, final byte commandType, final long atMs)
    {
        final long mine;
        acquire();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                final Bytes<?> bytes = dc.wire().bytes();
                JournalCodec.encodeOutcome(bytes, seq, atMs, commandType);
            }
            mine = ++appended;
            appends.increment();
        }
        finally
        {
            lock.unlock();
        }
        if (durability == Durability.SYNC)
        {
            awaitSynced(mine);
        }
    }

    /**
     * Group commit: the first caller to find no msync running leads one that covers everything appended so far;
     * the others wait for it, and for the next one if theirs came in after it started.
     */
    private void awaitSynced(final long target)
    {
        while (true)
        {
            synchronized (syncMonitor)
            {
                while (syncedUpTo < target && syncing)
                {
                    try
                    {
                        syncMonitor.wait();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted waiting for the journal to sync", ex);
                    }
                }
                if (syncedUpTo >= target)
                {
                    return;
                }
                syncing = true;
            }
            long covered = 0;
            try
            {
                acquire();
                try
                {
                    covered = appended;
                    appender.sync();
                    syncs.increment();
                }
                finally
                {
                    lock.unlock();
                }
            }
            finally
            {
                synchronized (syncMonitor)
                {
                    syncedUpTo = Math.max(syncedUpTo, covered);
                    syncing = false;
                    syncMonitor.notifyAll();
                }
            }
        }
    }

    /**
     * Appends one change the grid made to one (sku, location) record. Called by the entry processor on the key's
     * partition thread, so one key's effects reach the journal in the order they were made, whatever happens to
     * the call that caused them. Never synced on its own: the outcome append that follows is (in SYNC mode), and
     * its msync covers the records before it.
     */
    @Override
    public void appendEffect(final KeyEffect effect)
    {
        acquire();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeEffect(dc.wire().bytes(), System.currentTimeMillis(), effect);
            }
            appended++;
            appends.increment();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Appends a reservation record's new state (or its removal), from its partition thread. */
    @Override
    public void appendReservation(final ReservationState state, final boolean removed)
    {
        acquire();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeReservation(dc.wire().bytes(), System.currentTimeMillis(), state, removed);
            }
            appended++;
            appends.increment();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Appends a whole (sku, location) record, from its partition thread: the first change this member makes to a
     * record it gained (by migration, promotion or restore), and every record it owns during a snapshot. Replay
     * starts the key's fold afresh from it, so this journal alone rebuilds the record from here on.
     */
    @Override
    public void appendKeySnapshot(final RecoveredState.Key key)
    {
        append(out -> JournalCodec.encodeKeySnapshot(out, System.currentTimeMillis(), key), false);
        keySnapshots.increment();
    }

    /**
     * Marks everything before as superseded: replay forgets it. Written when the member takes the cluster's state
     * instead of its own (it joined a running cluster, or its side of a split was discarded when the split healed).
     */
    public void appendReset(final String reason)
    {
        append(out -> JournalCodec.encodeReset(out, nextSeq.get() - 1, System.currentTimeMillis(), reason), true);
    }

    /** Marks the beginning of a snapshot; returns the journal index it starts at (see {@link #deleteCyclesBefore}). */
    @Override
    public long appendSnapshotBegin()
    {
        return append(out -> JournalCodec.encodeSnapshotMark(out, nextSeq.get() - 1, System.currentTimeMillis(),
            true, 0), true);
    }

    @Override
    public void appendSnapshotEnd(final long records)
    {
        append(out -> JournalCodec.encodeSnapshotMark(out, nextSeq.get() - 1, System.currentTimeMillis(), false,
            records), true);
    }

    /**
     * Appends one record off the hot path (the hot appends are written out by hand, without a lambda); a marker is
     * msync'd at once in SYNC mode, since no outcome may follow it soon.
     *
     * @return the record's journal index.
     */
    private long append(final java.util.function.Consumer<Bytes<?>> encoder, final boolean syncNow)
    {
        acquire();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                encoder.accept(dc.wire().bytes());
            }
            appended++;
            appends.increment();
            final long index = appender.lastIndexAppended();
            if (syncNow && durability == Durability.SYNC)
            {
                appender.sync();
            }
            return index;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Retention: deletes the roll-cycle files older than the one holding {@code index} (the beginning of the last
     * complete snapshot), keeping the last {@code keepCycles} files before it.
     *
     * @return the number of files deleted.
     */
    public int deleteCyclesBefore(final long index, final int keepCycles)
    {
        final SingleChronicleQueue q = (SingleChronicleQueue)queue;
        final int snapshotCycle = q.rollCycle().toCycle(index);
        int deleted = 0;
        acquire();
        try
        {
            final int first = q.firstCycle();
            if (first == Integer.MAX_VALUE || first >= snapshotCycle)
            {
                return 0;
            }
            // Both bounds must be cycles that have files: list them all, keep the last keepCycles files before the
            // snapshot's, delete the older ones.
            final List<Long> before = new java.util.ArrayList<>();
            for (final Long cycle : q.listCyclesBetween(first, q.lastCycle()))
            {
                if (cycle < snapshotCycle)
                {
                    before.add(cycle);
                }
            }
            for (int i = 0; i < before.size() - keepCycles; i++)
            {
                final SingleChronicleQueueStore store = q.storeForCycle(before.get(i).intValue(), q.epoch(), false,
                    null);
                if (store == null)
                {
                    continue;
                }
                final File file = store.file();
                store.close();
                if (file != null && file.delete())
                {
                    deleted++;
                }
            }
            q.refreshDirectoryListing();
        }
        finally
        {
            lock.unlock();
        }
        return deleted;
    }

    public long appends()
    {
        return appends.sum();
    }

    /** Whole-record snapshots appended (first changes of gained records, and periodic snapshots). */
    public long keySnapshots()
    {
        return keySnapshots.sum();
    }

    /** msyncs done (SYNC mode); appends / syncs is the group-commit batch size. */
    public long syncs()
    {
        return syncs.sum();
    }

    public Path directory()
    {
        return dir;
    }

    @Override
    public void close()
    {
        acquire();
        try
        {
            appender.close();
            queue.close();
        }
        finally
        {
            lock.unlock();
        }
    }
}
