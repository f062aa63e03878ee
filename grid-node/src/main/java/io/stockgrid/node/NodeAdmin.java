package io.stockgrid.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.stockgrid.ingest.AdminView;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Overloaded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The node's side of the HTTP door's admin routes, and its periodic status duty: one daemon thread that every
 * {@value #REFRESH_MS} ms checks whether the cluster is safe (a call to every member), measures the journal's files
 * for {@code stockgrid_journal_bytes}, and (re)publishes this node's HTTP port for the other members' cluster views.
 * <p>
 * The HTTP port travels in a small replicated map keyed by member UUID, as Hazelcast member attributes are fixed
 * before the member starts and the port may be chosen later (port 0). Entries of members that left are removed by
 * whichever member refreshes first; each member puts its own back on every refresh, so a removal that raced a join
 * heals within one period. The map holds at most one entry per member.
 */
final class NodeAdmin implements AdminView, AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeAdmin.class);
    static final long REFRESH_MS = 5_000;
    static final String HTTP_PORTS_MAP = "stockgrid-http-ports";
    /** Cluster views being built or waiting at once; more are answered 503 OVERLOADED. */
    private static final int CLUSTER_VIEWS_PENDING_MAX = 4;

    private final HazelcastInstance hz;
    private final CommandPipeline pipeline;
    private final IngestMetrics metrics;
    private final Path journalDir;
    private final ClusterStatus status;
    private final ScheduledExecutorService executor;
    private final AtomicInteger clusterViewsPending = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile Runnable drainAction;
    private volatile int httpPort = -1;

    NodeAdmin(final HazelcastInstance hz, final int minClusterSize, final CommandPipeline pipeline,
        final IngestMetrics metrics, final Path journalDir)
    {
        this.hz = hz;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.journalDir = journalDir;
        this.status = new ClusterStatus(hz, minClusterSize, metrics);
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "stockgrid-admin");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the periodic duty and enables the drain, once the node is up. Until then {@link #drain()} answers
     * false, so a drain cannot reach a node that is half built.
     *
     * @param drainAction what a drain runs, on a thread of its own; see {@link #drainWith}.
     */
    void start(final int httpPort, final Runnable drainAction)
    {
        this.httpPort = httpPort;
        this.drainAction = drainAction;
        executor.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MS, TimeUnit.MILLISECONDS);
    }

    /** Replaces what a drain runs: the node's main passes the very action its SIGTERM hook runs. */
    void drainWith(final Runnable action)
    {
        this.drainAction = action;
    }

    @Override
    public CompletableFuture<byte[]> clusterJson()
    {
        if (clusterViewsPending.incrementAndGet() > CLUSTER_VIEWS_PENDING_MAX)
        {
            clusterViewsPending.decrementAndGet();
            return CompletableFuture.failedFuture(Overloaded.INSTANCE);
        }
        try
        {
            return CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return status.toJson(httpPorts(), draining.get(), pipeline.isReady());
                }
                finally
                {
                    clusterViewsPending.decrementAndGet();
                }
            }, executor);
        }
        catch (final RejectedExecutionException ex)
        {
            clusterViewsPending.decrementAndGet();
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public boolean drain()
    {
        final Runnable action = drainAction;
        if (action == null)
        {
            return false;
        }
        if (draining.compareAndSet(false, true))
        {
            // Not a daemon: the process must not exit half-way through the drain.
            final Thread drainer = new Thread(action, "stockgrid-drain");
            drainer.start();
        }
        return true;
    }

    private Map<String, Integer> httpPorts()
    {
        try
        {
            return new HashMap<>(portsMap());
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("could not read the members' HTTP ports", ex);
            return Map.of();
        }
    }

    private ReplicatedMap<String, Integer> portsMap()
    {
        return hz.getReplicatedMap(HTTP_PORTS_MAP);
    }

    /** The periodic duty. Each part is independent: a failure of one is logged and the others still run. */
    private void refresh()
    {
        if (!hz.getLifecycleService().isRunning())
        {
            return;
        }
        try
        {
            status.refreshSafety();
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("cluster safety check failed", ex);
        }
        try
        {
            metrics.setJournalBytes(directoryBytes(journalDir));
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("could not measure the journal", ex);
        }
        try
        {
            publishHttpPort();
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("could not publish the HTTP port", ex);
        }
    }

    private void publishHttpPort()
    {
        final ReplicatedMap<String, Integer> ports = portsMap();
        final Map<String, ?> members = status.members();
        final String self = hz.getCluster().getLocalMember().getUuid().toString();
        final Integer mine = httpPort;
        if (!mine.equals(ports.get(self)))
        {
            ports.put(self, mine);
        }
        for (final String uuid : ports.keySet())
        {
            if (!members.containsKey(uuid))
            {
                ports.remove(uuid);
            }
        }
    }

    /**
     * Bytes the files under {@code dir} (every journal generation) take on disk: allocated blocks, since Chronicle's
     * cycle files are sparse and their apparent size says little; 0 if there is no such directory.
     */
    static long directoryBytes(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            long bytes = 0;
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                try
                {
                    if (Files.isRegularFile(file))
                    {
                        bytes += allocatedBytes(file);
                    }
                }
                catch (final NoSuchFileException ex)
                {
                    // Deleted by retention between the listing and the size: it no longer counts.
                }
            }
            return bytes;
        }
        catch (final NoSuchFileException ex)
        {
            return 0;
        }
        catch (final IOException | UncheckedIOException ex)
        {
            // A generation deleted while it was walked: the next measurement counts what is left.
            return 0;
        }
    }

    private static long allocatedBytes(final Path file) throws IOException
    {
        try
        {
            final Object blocks = Files.getAttribute(file, "unix:blocks");
            if (blocks instanceof Long b)
            {
                return b * 512;
            }
        }
        catch (final UnsupportedOperationException | IllegalArgumentException ex)
        {
            // Not a Unix file system: fall back to the apparent size.
        }
        return Files.size(file);
    }

    @Override
    public void close()
    {
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        status.close();
    }
}
