package io.stockgrid.node;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.grid.GridConfig;
import io.stockgrid.grid.HazelcastInventoryService;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.JournalReplayer;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.binary.BinaryServer;
import io.stockgrid.ingest.http.HttpServer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One Stockgrid node, wired by hand: lock the data dir, rebuild state from the journal, start the Hazelcast member
 * and load the state into it, open the journal for appends, then open the HTTP and binary doors. {@link #close()}
 * undoes it in reverse after draining in-flight requests.
 */
public final class StockgridNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(StockgridNode.class);

    private final NodeConfig config;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final HazelcastInstance hazelcast;
    private final HazelcastInventoryService service;
    private final Journal journal;
    private final CommandPipeline pipeline;
    private final HttpServer http;
    private final BinaryServer binary;
    private final NodeAdmin admin;
    private final JournalReplayer.Result recovery;
    private volatile boolean closed;

    private StockgridNode(final NodeConfig config, final EpochClock clock) throws Exception
    {
        this.config = config;
        final long startNs = System.nanoTime();
        Files.createDirectories(config.dataDir);
        lockChannel = FileChannel.open(config.dataDir.resolve("node.lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null)
        {
            lockChannel.close();
            throw new IllegalStateException("data dir " + config.dataDir.toAbsolutePath()
                + " is in use by another node (node.lock is held)");
        }
        HazelcastInstance hz = null;
        HazelcastInventoryService svc = null;
        Journal jnl = null;
        CommandPipeline pipe = null;
        NodeAdmin adm = null;
        HttpServer httpServer = null;
        try
        {
            final Path journalDir = Journal.directory(config.dataDir);
            recovery = JournalReplayer.replay(journalDir, clock.time(), config.idempotencyRetentionMs);
            if (!recovery.violations().isEmpty())
            {
                throw new IllegalStateException("journal replay found " + recovery.violations().size()
                    + " invariant violations; refusing to serve (first: " + recovery.violations().get(0) + ")");
            }
            hz = Hazelcast.newHazelcastInstance(GridConfig.memberConfig(config.clusterName, config.bindAddress,
                config.memberPort, new GridConfig.Membership(config.members, config.kubernetesServiceDns,
                    config.publicAddress, config.minClusterSize)));
            // Room for every admitted request, plus the sweep and the calls workers are still finishing, so that an
            // admitted (and journaled) command is never refused by the pool.
            svc = new HazelcastInventoryService(hz, config.workerThreads,
                config.maxInFlight + config.workerThreads + 16, config.idempotencyRetentionMs);
            final RecoveredState state = recovery.state();
            svc.restore(state);
            jnl = new Journal(journalDir, config.journalDurability, recovery.lastSeq());
            svc.attachJournal(jnl);
            final int finished = svc.reconcile(state, clock.time());
            final IngestMetrics metrics = new IngestMetrics();
            long holds = 0;
            for (final RecoveredState.Key key : state.keys())
            {
                holds += key.holds().size();
            }
            metrics.setHoldsActive(holds - finished);
            pipe = new CommandPipeline(svc, jnl, clock, metrics, config.maxInFlight);
            pipe.startExpirySweeper(config.expirySweepIntervalMs, config.expirySweepBatch);
            adm = new NodeAdmin(hz, config.minClusterSize, pipe, metrics, journalDir);
            httpServer = new HttpServer(config.bindAddress, config.httpPort, config.ioThreads, pipe, metrics, adm);
            binary = new BinaryServer(config.bindAddress, config.binaryPort, config.ioThreads, pipe, metrics,
                config.binaryMaxFrameBytes, BinaryServer.MAX_IN_FLIGHT_PER_CONNECTION_DEFAULT);
        }
        catch (final Exception | Error ex)
        {
            closeQuietly(httpServer);
            closeQuietly(adm);
            closeQuietly(pipe);
            closeQuietly(svc);
            if (svc != null)
            {
                svc.attachJournal(null);
            }
            closeQuietly(jnl);
            if (hz != null)
            {
                hz.shutdown();
            }
            lock.release();
            lockChannel.close();
            throw ex;
        }
        http = httpServer;
        hazelcast = hz;
        service = svc;
        journal = jnl;
        pipeline = pipe;
        admin = adm;
        admin.start(http.port(), this::close);
        LOG.info("Stockgrid node ready: http://{}:{} binary {}:{} data-dir {} ({} keys, {} reservations recovered) "
            + "in {} ms", config.bindAddress, http.port(), config.bindAddress, binary.port(),
            config.dataDir.toAbsolutePath(), recovery.state().keys().size(),
            recovery.state().reservations().size(), (System.nanoTime() - startNs) / 1_000_000);
    }

    public static StockgridNode start(final NodeConfig config) throws Exception
    {
        return new StockgridNode(config, SystemEpochClock.INSTANCE);
    }

    /** For tests that drive time by hand. */
    public static StockgridNode start(final NodeConfig config, final EpochClock clock) throws Exception
    {
        return new StockgridNode(config, clock);
    }

    public int httpPort()
    {
        return http.port();
    }

    /** The port of the binary door (useful when asked for port 0). */
    public int binaryPort()
    {
        return binary.port();
    }

    public CommandPipeline pipeline()
    {
        return pipeline;
    }

    public JournalReplayer.Result recovery()
    {
        return recovery;
    }

    public HazelcastInstance hazelcast()
    {
        return hazelcast;
    }

    /** Replaces what {@code POST /admin/drain} runs (by default {@link #close()}); main passes its SIGTERM hook's. */
    public void onDrainRequest(final Runnable action)
    {
        admin.drainWith(action);
    }

    /** Drains: readiness goes 503, in-flight requests finish (up to the drain timeout), then everything stops. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (!pipeline.drain(config.drainTimeoutMs))
            {
                LOG.warn("drain timed out with {} requests in flight", pipeline.inFlight());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeQuietly(binary);
        closeQuietly(http);
        closeQuietly(pipeline);
        closeQuietly(service);
        service.attachJournal(null);
        closeQuietly(journal);
        closeQuietly(admin);
        hazelcast.shutdown();
        try
        {
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        LOG.info("Stockgrid node stopped");
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        if (closeable == null)
        {
            return;
        }
        try
        {
            closeable.close();
        }
        catch (final Exception ex)
        {
            LOG.warn("error while closing {}", closeable, ex);
        }
    }
}
