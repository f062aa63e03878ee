package io.stockgrid.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.grid.GridConfig;
import io.stockgrid.grid.HazelcastInventoryService;
import io.stockgrid.grid.WireFormat;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.JournalGenerations;
import io.stockgrid.ingest.JournalReplayer;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.auth.AccessControl;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.binary.BinaryServer;
import io.stockgrid.ingest.http.HttpServer;
import io.stockgrid.ingest.tls.ServerTls;
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
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

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
    private final AccessControl access;
    /** The doors' TLS, or null (plain text). */
    private final ServerTls tls;
    private final JournalReplayer.Result recovery;
    private ClusterRestore clusterRestore;
    private SnapshotScheduler snapshots;
    private volatile boolean closed;

    private StockgridNode(final NodeConfig config, final EpochClock clock,
        final Function<Config, HazelcastInstance> hazelcastFactory) throws Exception
    {
        this.config = config;
        final long startNs = System.nanoTime();
        // A taken port is found before the journal is replayed or a cluster joined, and named with its setting.
        CannotListen.requireFree(config.bindAddress, config.httpPort, Setting.HTTP_PORT);
        CannotListen.requireFree(config.bindAddress, config.binaryPort, Setting.BINARY_PORT);
        if (config.memberPortFixed)
        {
            CannotListen.requireFree(config.bindAddress, config.memberPort, Setting.MEMBER_PORT);
        }
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
        AccessControl acl = null;
        ServerTls serverTls = null;
        try
        {
            acl = accessControl(config, clock);
            serverTls = serverTls(config);
            final List<Path> generations = JournalGenerations.existing(config.dataDir);
            recovery = JournalReplayer.replay(generations, clock.time(), config.idempotencyRetentionMs);
            if (!recovery.violations().isEmpty())
            {
                throw new IllegalStateException("journal replay found " + recovery.violations().size()
                    + " invariant violations; refusing to serve (first: " + recovery.violations().get(0) + ")");
            }
            final String nodeId = ClusterRestore.loadOrCreateNodeId(config.dataDir);
            // The journal is open before the member joins: partitions may migrate here at once, and every change
            // this member's partition threads make from then on must be journaled.
            jnl = new Journal(JournalGenerations.next(config.dataDir, generations), config.journalDurability,
                recovery.lastSeq());
            final Config hzConfig = GridConfig.memberConfig(config.clusterName, config.bindAddress,
                config.memberPort, new GridConfig.Membership(config.members, config.kubernetesServiceDns,
                    config.publicAddress, config.minClusterSize));
            hzConfig.getMemberAttributeConfig().setAttribute(ClusterRestore.NODE_ATTRIBUTE, nodeId);
            if (config.memberPortFixed)
            {
                // Other members reach this one at exactly --member-port: moving to the next free port would leave
                // the member lists wrong, so a taken port ends the start instead (NodeConfig.memberPortFixed).
                hzConfig.getNetworkConfig().setPortAutoIncrement(false);
            }
            GridConfig.partitions(hzConfig, config.partitions);
            GridConfig.maxReservations(hzConfig, config.maxReservations);
            if (config.reservationsAsObjects)
            {
                GridConfig.storeReservationsAsObjects(hzConfig);
            }
            HazelcastInventoryService.attachJournal(hzConfig, jnl);
            final Journal journalForMerge = jnl;
            hzConfig.addListenerConfig(new ListenerConfig((LifecycleListener)event ->
            {
                if (event.getState() == LifecycleEvent.LifecycleState.MERGING)
                {
                    // This member was on the smaller side of a split; its records are replaced by the larger
                    // side's. What it journaled before is superseded (what it owns from now on is journaled whole).
                    journalForMerge.appendReset("merging into the larger side after a split");
                    LOG.warn("split healed: this member merges into the larger side; its own state is discarded");
                }
            }));
            hz = CannotListen.bind(config.bindAddress, config.memberPort, Setting.MEMBER_PORT,
                () -> hazelcastFactory.apply(hzConfig));
            // Room for every admitted request, plus the sweep and the calls workers are still finishing, so that an
            // admitted (and journaled) command is never refused by the pool.
            svc = new HazelcastInventoryService(hz, config.workerThreads,
                config.maxInFlight + config.workerThreads + 16, config.idempotencyRetentionMs);
            svc.requireMembers(config.minClusterSize);
            final RecoveredState state = recovery.state();
            clusterRestore = new ClusterRestore(hz, config.dataDir, nodeId, config.minClusterSize);
            final ClusterRestore.Decision decision = clusterRestore.decide(config.restoreWaitMs);
            if (decision == ClusterRestore.Decision.CONTRIBUTE)
            {
                svc.restore(state);
            }
            else
            {
                svc.markRestored();
            }
            clusterRestore.markLoadedAndAwaitAllLoaded();
            final int finished;
            final List<Path> olderGenerations;
            if (decision == ClusterRestore.Decision.CONTRIBUTE)
            {
                finished = svc.reconcile(state, clock.time());
                olderGenerations = generations;
            }
            else
            {
                finished = 0;
                JournalGenerations.delete(generations);
                olderGenerations = List.of();
            }
            clusterRestore.markReconciledAndAwaitRunning();
            clusterRestore.trackView();
            final IngestMetrics metrics = new IngestMetrics();
            long holds = 0;
            for (final RecoveredState.Key key : state.keys())
            {
                holds += key.holds().size();
            }
            metrics.setHoldsActive(holds - finished);
            svc.registerMetrics(metrics);
            snapshots = new SnapshotScheduler(hz, svc, jnl, clusterRestore, olderGenerations,
                config.snapshotIntervalMs, config.journalRetentionCycles,
                metrics::snapshotTaken);
            snapshots.start();
            pipe = new CommandPipeline(svc, jnl, clock, metrics, config.maxInFlight);
            pipe.startExpirySweeper(config.expirySweepIntervalMs, config.expirySweepBatch);
            adm = new NodeAdmin(hz, config.minClusterSize, pipe, metrics, Journal.directory(config.dataDir));
            acl.attachMetrics(metrics);
            acl.startWatching(AccessControl.WATCH_INTERVAL_MS_DEFAULT);
            if (serverTls != null)
            {
                serverTls.startWatching(ServerTls.WATCH_INTERVAL_MS_DEFAULT);
            }
            final ServerTls doorTls = serverTls;
            final CommandPipeline doorPipeline = pipe;
            final NodeAdmin doorAdmin = adm;
            final AccessControl doorAccess = acl;
            httpServer = CannotListen.bind(config.bindAddress, config.httpPort, Setting.HTTP_PORT,
                () -> new HttpServer(config.bindAddress, config.httpPort, config.ioThreads, config.transport,
                    doorPipeline, metrics, doorAdmin, doorAccess, config.authPublicMetrics, doorTls));
            binary = CannotListen.bind(config.bindAddress, config.binaryPort, Setting.BINARY_PORT,
                () -> new BinaryServer(config.bindAddress, config.binaryPort, config.ioThreads, config.transport,
                    doorPipeline, metrics, config.binaryMaxFrameBytes,
                    BinaryServer.MAX_IN_FLIGHT_PER_CONNECTION_DEFAULT, doorAccess, doorTls));
        }
        catch (final Exception | Error ex)
        {
            closeQuietly(httpServer);
            closeQuietly(serverTls);
            closeQuietly(acl);
            closeQuietly(adm);
            closeQuietly(pipe);
            closeQuietly(snapshots);
            closeQuietly(svc);
            // As in close(): leave the cluster (partitions migrate away while still journaled), then close the
            // journal.
            if (hz != null)
            {
                hz.shutdown();
            }
            closeQuietly(jnl);
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
        access = acl;
        tls = serverTls;
        admin.start(http.port(), this::close);
        LOG.info("Stockgrid node ready: {}://{}:{} binary{} {}:{} ({} transport) data-dir {} ({} keys, {} "
            + "reservations recovered) in {} ms", tls == null ? "http" : "https", config.bindAddress, http.port(),
            tls == null ? "" : "+tls", config.bindAddress, binary.port(),
            config.transport.resolve().name().toLowerCase(Locale.ROOT),
            config.dataDir.toAbsolutePath(), recovery.state().keys().size(),
            recovery.state().reservations().size(), (System.nanoTime() - startNs) / 1_000_000);
    }

    /** The doors' TLS from --tls-cert/--tls-key (and --tls-client-ca), or null for plain text. */
    private static ServerTls serverTls(final NodeConfig config) throws ServerTls.Invalid
    {
        if (config.tlsCert == null)
        {
            return null;
        }
        final ServerTls tls = ServerTls.load(config.tlsCert, config.tlsKey, config.tlsClientCa);
        LOG.info("TLS on both doors: {} from {} (re-read when it changes){}", tls.subject(), config.tlsCert,
            tls.requiresClientCertificates() ? "; client certificates required, CAs from " + config.tlsClientCa : "");
        return tls;
    }

    /**
     * The keys from --auth-keys, or none: with none the node serves unauthenticated, which NodeConfig allows only on
     * a loopback bind address or with --auth none; say so loudly either way.
     */
    private static AccessControl accessControl(final NodeConfig config, final EpochClock clock)
        throws KeyFile.Invalid
    {
        if (config.authKeys != null)
        {
            final AccessControl acl = AccessControl.fromFile(config.authKeys, clock);
            LOG.info("API keys: {} loaded from {} (re-read when it changes)", acl.keyring().size(), config.authKeys);
            return acl;
        }
        if (config.authNone)
        {
            LOG.warn("--auth none: serving WITHOUT authentication on {}; anyone who reaches the ports can change "
                + "stock and drain the node", config.bindAddress);
        }
        else
        {
            LOG.warn("no API keys (--auth-keys): serving WITHOUT authentication, allowed only because --bind-address "
                + "{} is loopback", config.bindAddress);
        }
        return AccessControl.open();
    }

    public static StockgridNode start(final NodeConfig config) throws Exception
    {
        return new StockgridNode(config, SystemEpochClock.INSTANCE, WireFormat::newMember);
    }

    /** For tests that drive time by hand. */
    public static StockgridNode start(final NodeConfig config, final EpochClock clock) throws Exception
    {
        return new StockgridNode(config, clock, WireFormat::newMember);
    }

    /** Test seam: tests that need their own member (e.g. one whose network they can cut) create it here. */
    static StockgridNode start(final NodeConfig config, final EpochClock clock,
        final Function<Config, HazelcastInstance> hazelcastFactory) throws Exception
    {
        return new StockgridNode(config, clock, hazelcastFactory);
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

    /** The doors' TLS (tests reload the certificate files through it), or null without TLS. */
    public ServerTls tls()
    {
        return tls;
    }

    /** Who may call: the keys in force (tests reload the keys file through it). */
    public AccessControl accessControl()
    {
        return access;
    }

    public CommandPipeline pipeline()
    {
        return pipeline;
    }

    /** The journal this node appends to (its current generation). */
    public Journal journal()
    {
        return journal;
    }

    public JournalReplayer.Result recovery()
    {
        return recovery;
    }

    /** Snapshots the records this node owns into its journal now, and applies retention; for tests and ops. */
    public void snapshotNow() throws Exception
    {
        snapshots.snapshotNow();
    }

    public HazelcastInstance hazelcast()
    {
        return hazelcast;
    }

    /** The grid service (tests and diagnostics read records through it). */
    public HazelcastInventoryService service()
    {
        return service;
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
        closeQuietly(access);
        closeQuietly(tls);
        closeQuietly(pipeline);
        closeQuietly(snapshots);
        closeQuietly(service);
        // Leave the cluster gracefully first: until its partitions have migrated away, other members still send
        // changes to them, and the partition threads must keep journaling those. Only then close the journal.
        final long shutdownStartNs = System.nanoTime();
        closeQuietly(admin);
        hazelcast.shutdown();
        LOG.info("left the cluster in {} ms", (System.nanoTime() - shutdownStartNs) / 1_000_000);
        closeQuietly(journal);
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
