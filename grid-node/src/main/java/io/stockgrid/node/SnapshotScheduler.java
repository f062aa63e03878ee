package io.stockgrid.node;

import com.hazelcast.cluster.MembershipAdapter;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.MigrationListener;
import com.hazelcast.partition.MigrationState;
import com.hazelcast.partition.ReplicaMigrationEvent;
import io.stockgrid.grid.HazelcastInventoryService;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.JournalGenerations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Snapshots the records this member owns into its journal: once the cluster runs, every
 * {@code --snapshot-interval-seconds}, and shortly after partitions migrate or a member leaves (so records that moved
 * here are in this journal even if they never change again, and a node that left can leave the cluster view). After a snapshot, retention deletes the journal's older cycle files
 * (keeping {@code --journal-retention-cycles} before the snapshot's), and older journal generations once every
 * member has snapshotted since the cluster started running (until then another member may still need this
 * node's old records to be the only copy on disk).
 */
final class SnapshotScheduler implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotScheduler.class);
    /** Migrations come in bursts: snapshot once they have been quiet this long. */
    private static final long AFTER_MIGRATION_MS = 1_000;

    private final HazelcastInventoryService service;
    private final Journal journal;
    private final ClusterRestore restore;
    private final long intervalMs;
    private final int keepCycles;
    private final ScheduledExecutorService executor;
    private final SnapshotListener listener;
    private List<Path> olderGenerations;
    private ScheduledFuture<?> pendingAfterMigration;
    private volatile long lastSnapshotMs;
    private volatile long lastRecords;

    /** What the node's metrics show about snapshots. */
    interface SnapshotListener
    {
        void snapshotTaken(long atMs, long records);
    }

    SnapshotScheduler(final HazelcastInstance hazelcast, final HazelcastInventoryService service,
        final Journal journal, final ClusterRestore restore, final List<Path> olderGenerations, final long intervalMs,
        final int keepCycles, final SnapshotListener listener)
    {
        this.service = service;
        this.journal = journal;
        this.restore = restore;
        this.olderGenerations = olderGenerations;
        this.intervalMs = intervalMs;
        this.keepCycles = keepCycles;
        this.listener = listener;
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "stockgrid-snapshot");
            t.setDaemon(true);
            return t;
        });
        hazelcast.getPartitionService().addMigrationListener(new MigrationListener()
        {
            @Override
            public void migrationStarted(final MigrationState state)
            {
            }

            @Override
            public void migrationFinished(final MigrationState state)
            {
                afterMigration();
            }

            @Override
            public void replicaMigrationCompleted(final ReplicaMigrationEvent event)
            {
            }

            @Override
            public void replicaMigrationFailed(final ReplicaMigrationEvent event)
            {
            }
        });
        // Migration events come from the master. When the master itself leaves gracefully it moves its partitions
        // away first, and a survivor may see no migration after the removal (measured: one of two survivors never
        // snapshotted, so the node that left stayed in the cluster view). Every member sees the removal.
        hazelcast.getCluster().addMembershipListener(new MembershipAdapter()
        {
            @Override
            public void memberRemoved(final MembershipEvent event)
            {
                afterMigration();
            }
        });
    }

    void start()
    {
        executor.execute(this::snapshotQuietly);
        executor.scheduleWithFixedDelay(() ->
        {
            try
            {
                restore.dropCoveredDepartures();
            }
            catch (final RuntimeException ex)
            {
                // A failure must not end the schedule (it would keep a departed node in the view for good).
                LOG.warn("could not update the cluster view after a node left; will retry", ex);
            }
        }, 1, 1, TimeUnit.SECONDS);
        if (intervalMs > 0)
        {
            executor.scheduleWithFixedDelay(this::snapshotQuietly, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Runs a snapshot now (on the snapshot thread) and waits for it; for the admin view and tests. */
    void snapshotNow() throws Exception
    {
        executor.submit(this::snapshot).get();
    }

    private synchronized void afterMigration()
    {
        if (pendingAfterMigration != null)
        {
            pendingAfterMigration.cancel(false);
        }
        try
        {
            pendingAfterMigration = executor.schedule(this::snapshotQuietly, AFTER_MIGRATION_MS,
                TimeUnit.MILLISECONDS);
        }
        catch (final RejectedExecutionException ex)
        {
            pendingAfterMigration = null; // closing: what moves now is this node's own shutdown
        }
    }

    private void snapshotQuietly()
    {
        try
        {
            snapshot();
        }
        catch (final RuntimeException ex)
        {
            if (executor.isShutdown())
            {
                // The node is stopping: a paced snapshot can take minutes, and is cut short, not failed.
                LOG.info("snapshot stopped by the node's shutdown: {}", ex.getMessage());
                return;
            }
            // The next one (interval or migration) tries again; retention waits for a complete snapshot.
            LOG.warn("snapshot failed; retention waits for the next complete one", ex);
        }
    }

    private Void snapshot()
    {
        final long startNs = System.nanoTime();
        final long number = restore.snapshotStarting();
        final long[] result = service.snapshotOwned(journal);
        lastSnapshotMs = System.currentTimeMillis();
        lastRecords = result[1];
        restore.markSnapshotted(number);
        int deletedCycles = journal.deleteCyclesBefore(result[0], keepCycles);
        if (!olderGenerations.isEmpty() && restore.everyMemberSnapshotted())
        {
            JournalGenerations.delete(olderGenerations);
            LOG.info("retention: deleted {} older journal generations (every member has snapshotted)",
                olderGenerations.size());
            olderGenerations = List.of();
        }
        LOG.info("snapshot: {} records in {} ms; {} old journal cycles deleted", result[1],
            (System.nanoTime() - startNs) / 1_000_000, deletedCycles);
        listener.snapshotTaken(lastSnapshotMs, lastRecords);
        return null;
    }

    long lastSnapshotMs()
    {
        return lastSnapshotMs;
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
