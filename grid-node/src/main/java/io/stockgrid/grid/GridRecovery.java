package io.stockgrid.grid;

import com.hazelcast.map.EntryProcessor;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The grid's side of a node's start and of its snapshots: loads journal-rebuilt state into the grid
 * ({@link #restore}), finishes what that state shows half-done ({@link #reconcile}), and journals every record the
 * member owns, whole ({@link #snapshotOwned}). None of it is on the request path.
 */
final class GridRecovery
{
    /** Restore calls outstanding at once. */
    static final int RESTORE_WINDOW = 256;
    /** Records journaled by one step of a snapshot (one operation on one partition, about 0.6 ms of its thread). */
    static final int SNAPSHOT_CHUNK = 100;
    /** The share of the wall time a snapshot works; it sleeps the rest, in proportion to each step it took. */
    static final int SNAPSHOT_DUTY_PERCENT = 10;
    /**
     * How long a snapshot paces itself; after this it runs its remaining steps without sleeping. A snapshot must end
     * well within the journal's retained cycles (20 minutes by default, docs/cluster.md): paced, a member of 20 million
     * records would take about 25 minutes; this way it takes at most about 6.
     */
    static final long SNAPSHOT_PACED_NS = 240_000_000_000L;
    private static final long MAX_SNAPSHOT_PAUSE_NS = 1_000_000_000L;
    private static final long PROGRESS_LOG_NS = 10_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(GridRecovery.class);

    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final GridTable<String, Locations.Set> locations;
    private final AttemptFencing fencing;
    /** Records per snapshot step ({@link #SNAPSHOT_CHUNK}; tests lower it to walk a partition in several). */
    int snapshotChunk = SNAPSHOT_CHUNK;

    GridRecovery(final GridTable<StockKey, StockRecord> stock, final GridTable<String, ReservationRecord> reservations,
        final GridTable<String, Locations.Set> locations, final AttemptFencing fencing)
    {
        this.stock = stock;
        this.reservations = reservations;
        this.locations = locations;
        this.fencing = fencing;
    }

    /**
     * Loads journal-rebuilt state into the grid, record by record, keeping whichever is newer of the journal's and
     * the grid's (by version; by creation and version for reservations). With one node the grid is empty and
     * everything is loaded; after a full-cluster restart every member loads its journal, and each record ends up at
     * the newest version any journal holds. Not journaled: the journal it came from has it, and the record's first
     * change on its owner journals it whole. At most {@link #RESTORE_WINDOW} calls are outstanding at once; progress
     * is logged every second.
     */
    void restore(final RecoveredState state)
    {
        final long nowMs = System.currentTimeMillis();
        final Semaphore window = new Semaphore(RESTORE_WINDOW);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int total = state.keys().size() + state.reservations().size();
        int done = 0;
        long lastLogMs = System.currentTimeMillis();
        for (final RecoveredState.Key key : state.keys())
        {
            final StockRecord record = StockRecord.of(key);
            bounded(window, failure, () -> stock.submitToKey(new StockKey(key.sku(), key.location()),
                new RecordSnapshots.RestoreStock(record)));
            bounded(window, failure, () -> locations.submitToKey(key.sku(), new Locations.Add(key.location())));
            lastLogMs = logRestoreProgress(++done, total, lastLogMs);
        }
        for (final ReservationState r : state.reservations())
        {
            bounded(window, failure, () -> reservations.submitToKey(r.reservationId(),
                new RecordSnapshots.RestoreReservation(r, nowMs)));
            lastLogMs = logRestoreProgress(++done, total, lastLogMs);
        }
        window.acquireUninterruptibly(RESTORE_WINDOW);
        if (failure.get() != null)
        {
            throw new IllegalStateException("restore into the grid failed", failure.get());
        }
        LOG.info("restore: {} records and {} reservations offered to the grid", state.keys().size(),
            state.reservations().size());
    }

    private static void bounded(final Semaphore window, final AtomicReference<Throwable> failure,
        final Supplier<CompletionStage<?>> call)
    {
        window.acquireUninterruptibly();
        final CompletionStage<?> stage;
        try
        {
            stage = call.get();
        }
        catch (final RuntimeException ex)
        {
            window.release();
            failure.compareAndSet(null, ex);
            return;
        }
        stage.whenComplete((v, e) ->
        {
            if (e != null)
            {
                failure.compareAndSet(null, e);
            }
            window.release();
        });
    }

    private static long logRestoreProgress(final int done, final int total, final long lastLogMs)
    {
        final long now = System.currentTimeMillis();
        if (now - lastLogMs < 1_000)
        {
            return lastLogMs;
        }
        LOG.info("restore: {} of {} records loaded into the grid", done, total);
        return now;
    }

    /**
     * Journals every record this member owns, whole, on each record's partition thread, between two marks: from
     * the first mark on, this journal alone rebuilds every record the member owns. It walks one partition at a time
     * (so it holds one partition's keys, not the member's) in steps of {@link #SNAPSHOT_CHUNK} records (one
     * operation each), and paces itself to work at most {@link #SNAPSHOT_DUTY_PERCENT}% of the time for up to
     * {@link #SNAPSHOT_PACED_NS}, then finishes unpaced. Unpaced, a snapshot of 800,000 records took 4.6 s of both
     * cores and answers at 6,800 req/s fell behind by over a second (docs/benchmarks.md, session 10). A record created
     * or changed while the walk goes on is journaled by that change, so missing it is harmless.
     *
     * @return the journal index of the beginning mark (retention may delete the cycles before it), and the count.
     */
    long[] snapshotOwned(final GridJournal journal)
    {
        final long begin = journal.appendSnapshotBegin();
        final Pacer pacer = new Pacer();
        long records = 0;
        records += snapshotTable(stock, new RecordSnapshots.SnapshotStock(), pacer);
        records += snapshotTable(reservations, new RecordSnapshots.SnapshotReservation(), pacer);
        journal.appendSnapshotEnd(records);
        return new long[] {begin, records};
    }

    private <K, V> long snapshotTable(final GridTable<K, V> table, final EntryProcessor<K, V, Boolean> processor,
        final Pacer pacer)
    {
        long records = 0;
        for (final int partition : table.localPartitions())
        {
            final Set<K> chunk = new HashSet<>();
            for (final K key : table.keysOfPartition(partition))
            {
                chunk.add(key);
                if (chunk.size() == snapshotChunk)
                {
                    records += pacer.run(() -> countTrue(table.executeOnKeys(chunk, processor)));
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty())
            {
                records += pacer.run(() -> countTrue(table.executeOnKeys(chunk, processor)));
            }
        }
        return records;
    }

    /** Runs a snapshot's steps, sleeping after each so that they take at most the duty share of the wall time. */
    private static final class Pacer
    {
        private final long startNs = System.nanoTime();
        private long lastLogNs = startNs;
        private long done;

        long run(final java.util.function.LongSupplier step)
        {
            final long t0 = System.nanoTime();
            final long n = step.getAsLong();
            final long took = System.nanoTime() - t0;
            done += n;
            final boolean paced = t0 - startNs < SNAPSHOT_PACED_NS;
            final long pauseNs = !paced ? 0 : Math.min(MAX_SNAPSHOT_PAUSE_NS,
                took * (100 - SNAPSHOT_DUTY_PERCENT) / SNAPSHOT_DUTY_PERCENT);
            if (t0 - lastLogNs > PROGRESS_LOG_NS)
            {
                lastLogNs = t0;
                LOG.info("snapshot: {} records journaled in {} s{}", done, (t0 - startNs) / 1_000_000_000L,
                    paced ? "" : " (past its paced time: the rest runs unpaced)");
            }
            try
            {
                TimeUnit.NANOSECONDS.sleep(pauseNs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("snapshot interrupted after " + done + " records", ex);
            }
            return n;
        }
    }

    private static long countTrue(final Map<?, Boolean> results)
    {
        long n = 0;
        for (final Boolean b : results.values())
        {
            if (Boolean.TRUE.equals(b))
            {
                n++;
            }
        }
        return n;
    }

    /**
     * Finishes, through the (journaled) entry processors, what the restored state shows half-done when the node
     * stopped, judged by the grid's record of each reservation (after a full-cluster restart another member's
     * journal may hold a later state of it than this one): a PENDING reservation never answered its caller, so it
     * is forgotten and its holds returned; a hold whose reservation is COMMITTED is committed; a hold whose
     * reservation is RELEASED, EXPIRED, REJECTED or unknown is returned. HELD reservations are left as they are (the
     * sweep expires the overdue ones). Every step is idempotent, so members may reconcile the same records at once.
     *
     * @return the number of holds committed or returned.
     */
    int reconcile(final RecoveredState state, final long nowMs)
    {
        int finished = 0;
        final List<KeyEffect> effects = new ArrayList<>();
        for (final ReservationState r : state.reservations())
        {
            final ReservationRecord current = r.phase() == ReservationPhase.PENDING ?
                reservations.get(r.reservationId()) : null;
            if (current != null && current.phase() == ReservationPhase.PENDING)
            {
                fencing.forgetThenReturnHolds(current, nowMs, effects);
                LOG.info("recovery: reservation {} was still being made; its holds are returned",
                    r.reservationId());
            }
        }
        for (final RecoveredState.Key key : state.keys())
        {
            for (final RecoveredState.Hold hold : key.holds())
            {
                final ReservationRecord current = reservations.get(hold.reservationId());
                final ReservationPhase phase = current == null ? null : current.phase();
                if (phase == ReservationPhase.HELD || phase == ReservationPhase.PENDING)
                {
                    continue;
                }
                final StockKey stockKey = new StockKey(key.sku(), key.location());
                final KeyResult result = stock.executeOnKey(stockKey, phase == ReservationPhase.COMMITTED ?
                    new StockProcessors.CommitHold(hold.reservationId()) :
                    new StockProcessors.ReleaseHold(hold.reservationId(), phase == ReservationPhase.RELEASED ?
                        KeyEffect.Kind.RELEASE : KeyEffect.Kind.EXPIRE));
                if (result.changed())
                {
                    finished++;
                    LOG.info("recovery: finished the half-done {} of reservation {} on {}",
                        phase == null ? "compensation" : phase, hold.reservationId(), stockKey);
                }
            }
        }
        return finished + effects.size();
    }
}
