package io.stockgrid.ingest;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

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
public final class Journal implements AutoCloseable
{
    /** How far an append must get before the caller is answered. */
    public enum Durability
    {
        /** Written to the memory-mapped file: survives a process crash (kill -9), not an OS crash. */
        MAPPED,
        /** Also msync'd before the call returns: survives an OS crash, costs a disk flush per append. */
        SYNC
    }

    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final Durability durability;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong nextSeq;
    private final LongAdder appends = new LongAdder();
    private final Path dir;

    public Journal(final Path dir, final Durability durability, final long lastSeq)
    {
        this.dir = dir;
        this.durability = durability;
        this.queue = SingleChronicleQueueBuilder.binary(dir.toFile()).rollCycle(RollCycles.FAST_DAILY).build();
        this.appender = queue.createAppender();
        // One appender shared by the threads that finish requests, always under the lock below.
        this.appender.singleThreadedCheckDisabled(true);
        this.nextSeq = new AtomicLong(lastSeq + 1);
    }

    public static Path directory(final Path dataDir)
    {
        return dataDir.resolve("journal");
    }

    /** Appends a command; returns its sequence number, which the outcome refers to. */
    public long appendCommand(final Object command, final long atMs)
    {
        lock.lock();
        try
        {
            final long seq = nextSeq.getAndIncrement();
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeCommand(dc.wire().bytes(), seq, atMs, command);
            }
            afterAppend();
            return seq;
        }
        finally
        {
            lock.unlock();
        }
    }

    public void appendOutcome(final long seq, final byte commandType, final long atMs, final int code,
        final List<ReservationState> reservations, final List<KeyEffect> effects)
    {
        lock.lock();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                final Bytes<?> bytes = dc.wire().bytes();
                JournalCodec.encodeOutcome(bytes, seq, atMs, commandType, code, reservations, effects);
            }
            afterAppend();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Appends one change the grid made to one (sku, location) record. Called by the entry processor on the key's
     * partition thread, so one key's effects reach the journal in the order they were made, whatever happens to
     * the call that caused them. Never synced on its own: the outcome append that follows is (in SYNC mode), and
     * its msync covers the records before it.
     */
    public void appendEffect(final KeyEffect effect)
    {
        lock.lock();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeEffect(dc.wire().bytes(), System.currentTimeMillis(), effect);
            }
            appends.increment();
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Appends a reservation record's new state (or its removal), from its partition thread. */
    public void appendReservation(final ReservationState state, final boolean removed)
    {
        lock.lock();
        try
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                JournalCodec.encodeReservation(dc.wire().bytes(), System.currentTimeMillis(), state, removed);
            }
            appends.increment();
        }
        finally
        {
            lock.unlock();
        }
    }

    private void afterAppend()
    {
        appends.increment();
        if (durability == Durability.SYNC)
        {
            appender.sync();
        }
    }

    public long appends()
    {
        return appends.sum();
    }

    public Path directory()
    {
        return dir;
    }

    @Override
    public void close()
    {
        lock.lock();
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
