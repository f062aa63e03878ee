package io.stockgrid.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import io.stockgrid.grid.GridConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Decides, when a node starts, whether its journal contributes to the cluster's state, and holds every member back
 * from serving until all contributions are in.
 * <p>
 * Each node has a stable id ({@code node.id} in its data dir) and remembers the last cluster view it served in
 * ({@code cluster-view}: when, and which node ids). On start, after joining the Hazelcast cluster:
 * <ul>
 *   <li>If the cluster is already RUNNING, the node takes the cluster's state: its own journal is superseded
 *   (another member was promoted or took over everything it owned).</li>
 *   <li>Otherwise the cluster is forming (a first start, or a full restart). Every member publishes its last view;
 *   the newest view that had a quorum names the nodes whose journals hold the acknowledged state. The members wait
 *   until all of those have joined (or {@code --restore-wait-seconds} passes), then each named node loads its
 *   journal into the grid, newest version of each record winning; a node not named (it had left or been cut off
 *   before the others went on) takes the cluster's state. When every member has loaded, the cluster is RUNNING.</li>
 * </ul>
 */
final class ClusterRestore
{
    static final String NODE_ATTRIBUTE = io.stockgrid.grid.GridConfig.NODE_ID_ATTRIBUTE;
    static final String MAP = "stockgrid-restore";
    private static final String STATE_KEY = "state";
    private static final String RUNNING = "RUNNING";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRestore.class);
    private static final long POLL_MS = 100;
    private static final long LOG_EVERY_MS = 5_000;

    enum Decision
    {
        /** Load this node's journal into the grid. */
        CONTRIBUTE,
        /** Take the cluster's state; this node's journal is superseded. */
        TAKE_CLUSTER_STATE
    }

    /** A node's last view of the cluster it served in. */
    record View(long atMs, Set<String> nodes)
    {
        String encode()
        {
            return atMs + ";" + String.join(",", nodes);
        }

        static View decode(final String s)
        {
            final int semi = s.indexOf(';');
            final Set<String> nodes = new TreeSet<>();
            for (final String n : s.substring(semi + 1).split(","))
            {
                if (!n.isBlank())
                {
                    nodes.add(n);
                }
            }
            return new View(Long.parseLong(s.substring(0, semi)), nodes);
        }
    }

    private final HazelcastInstance hazelcast;
    private final Path dataDir;
    private final String nodeId;
    private final int minClusterSize;
    private final IMap<String, String> map;
    private final View lastView;
    /** Nodes that left, with each member's snapshot count when they did; they stay in the view until covered. */
    private final Map<String, Map<String, Long>> departed = new java.util.concurrent.ConcurrentHashMap<>();
    private long snapshotsStarted;

    ClusterRestore(final HazelcastInstance hazelcast, final Path dataDir, final String nodeId,
        final int minClusterSize)
    {
        this.hazelcast = hazelcast;
        this.dataDir = dataDir;
        this.nodeId = nodeId;
        this.minClusterSize = minClusterSize;
        this.map = hazelcast.getMap(MAP);
        this.lastView = readView(dataDir);
    }

    /** The node's stable id, created on first start. */
    static String loadOrCreateNodeId(final Path dataDir)
    {
        final Path file = dataDir.resolve("node.id");
        try
        {
            if (Files.isRegularFile(file))
            {
                final String id = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!id.isEmpty())
                {
                    return id;
                }
            }
            final String id = UUID.randomUUID().toString();
            writeAtomically(file, id + "\n");
            return id;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static View readView(final Path dataDir)
    {
        final Path file = dataDir.resolve("cluster-view");
        try
        {
            if (!Files.isRegularFile(file))
            {
                return null;
            }
            return View.decode(Files.readString(file, StandardCharsets.UTF_8).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("cannot read {}; treating this node as having no last view", file, ex);
            return null;
        }
    }

    private static void writeAtomically(final Path file, final String content) throws IOException
    {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Waits as described in the class comment and says what this node should do with its journal.
     *
     * @param waitMs how long to wait for the nodes of the last quorate view; 0 waits for ever.
     */
    Decision decide(final long waitMs) throws InterruptedException
    {
        if (RUNNING.equals(map.get(STATE_KEY)))
        {
            LOG.info("restore: the cluster is already running; this node takes its state");
            return Decision.TAKE_CLUSTER_STATE;
        }
        final String published = lastView == null ? "none" : lastView.encode();
        repeatably("view:" + self(), () -> map.put("view:" + self(), published));
        final long startMs = System.currentTimeMillis();
        long nextLogMs = startMs + LOG_EVERY_MS;
        while (true)
        {
            if (RUNNING.equals(map.get(STATE_KEY)))
            {
                LOG.info("restore: the cluster started running while this node was joining; it takes its state");
                return Decision.TAKE_CLUSTER_STATE;
            }
            final Map<String, View> views = new HashMap<>();
            final List<String> unpublished = new ArrayList<>();
            for (final Member member : hazelcast.getCluster().getMembers())
            {
                // Keyed by the member's UUID, new at every start: a key left by a node's earlier life never
                // stands in for this one.
                final String v = map.get("view:" + member.getUuid());
                if (v == null)
                {
                    unpublished.add(GridConfig.nodeIdOf(member));
                }
                else if (!v.equals("none"))
                {
                    views.put(GridConfig.nodeIdOf(member), View.decode(v));
                }
            }
            View authoritative = null;
            for (final View v : views.values())
            {
                if (v.nodes().size() >= minClusterSize && (authoritative == null || v.atMs() > authoritative.atMs()))
                {
                    authoritative = v;
                }
            }
            final Set<String> missing = new TreeSet<>();
            if (authoritative != null)
            {
                missing.addAll(authoritative.nodes());
                missing.removeAll(memberNodeIds());
            }
            final long now = System.currentTimeMillis();
            final boolean timedOut = waitMs > 0 && now - startMs >= waitMs;
            if (unpublished.isEmpty() && (missing.isEmpty() || timedOut))
            {
                if (!missing.isEmpty())
                {
                    LOG.warn("restore: gave up waiting for nodes {} after {} ms (--restore-wait-seconds); records "
                        + "only their journals hold are lost", missing, waitMs);
                }
                if (authoritative == null || authoritative.nodes().contains(nodeId))
                {
                    LOG.info("restore: this node's journal contributes (last quorate view: {})",
                        authoritative == null ? "none, a new cluster" : authoritative.nodes());
                    return Decision.CONTRIBUTE;
                }
                LOG.warn("restore: this node was not in the last quorate view {}; its journal is superseded",
                    authoritative.nodes());
                return Decision.TAKE_CLUSTER_STATE;
            }
            if (now >= nextLogMs)
            {
                nextLogMs = now + LOG_EVERY_MS;
                LOG.info("restore: waiting for nodes of the last view to join: {} (members not yet published: {})",
                    missing, unpublished.size());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Says this node's journal is loaded, then waits until every member's is (or the cluster already runs). Nobody
     * serves yet: the half-done calls are finished next, against the merged grid, before any retry can arrive.
     */
    void markLoadedAndAwaitAllLoaded() throws InterruptedException
    {
        awaitEveryMember("loaded:", "load their journals", false);
    }

    /** Says this node has finished its half-done calls, waits until every member has, and the cluster runs. */
    void markReconciledAndAwaitRunning() throws InterruptedException
    {
        awaitEveryMember("reconciled:", "finish their half-done calls", true);
        LOG.info("restore: the cluster is running");
    }

    private void awaitEveryMember(final String step, final String what, final boolean thenRun)
        throws InterruptedException
    {
        repeatably(step + self(), () -> map.put(step + self(), "true"));
        long nextLogMs = System.currentTimeMillis() + LOG_EVERY_MS;
        while (!RUNNING.equals(map.get(STATE_KEY)))
        {
            boolean all = true;
            for (final Member member : hazelcast.getCluster().getMembers())
            {
                if (!"true".equals(map.get(step + member.getUuid())))
                {
                    all = false;
                    break;
                }
            }
            if (all && hazelcast.getCluster().getMembers().size() >= minClusterSize)
            {
                if (thenRun)
                {
                    repeatably(STATE_KEY, () -> map.putIfAbsent(STATE_KEY, RUNNING));
                }
                return;
            }
            final long now = System.currentTimeMillis();
            if (now >= nextLogMs)
            {
                nextLogMs = now + LOG_EVERY_MS;
                LOG.info("restore: waiting for the other members to {}", what);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** Keeps {@code cluster-view} equal to the current members, from now on. */
    void trackView()
    {
        writeView();
        hazelcast.getCluster().addMembershipListener(new MembershipListener()
        {
            @Override
            public void memberAdded(final MembershipEvent event)
            {
                departed.remove(GridConfig.nodeIdOf(event.getMember()));
                writeView();
            }

            @Override
            public void memberRemoved(final MembershipEvent event)
            {
                // The node that left stays in the view until every member has finished a snapshot begun after it
                // left: until then its journal may be the only one on disk holding records that moved away from it.
                final Map<String, Long> startedAtRemoval = new HashMap<>();
                for (final Member m : hazelcast.getCluster().getMembers())
                {
                    startedAtRemoval.put(m.getUuid().toString(), counter("started:" + m.getUuid()));
                }
                departed.put(GridConfig.nodeIdOf(event.getMember()), startedAtRemoval);
                writeView();
                if (hazelcast.getCluster().getMembers().size() < minClusterSize)
                {
                    // Below the minimum the cluster may have lost partitions: nodes that come back must load their
                    // journals (newest version wins) rather than take what is left as the truth.
                    try
                    {
                        map.remove(STATE_KEY);
                        LOG.warn("restore: fewer than {} members; nodes that join will load their journals again",
                            minClusterSize);
                    }
                    catch (final RuntimeException ex)
                    {
                        LOG.warn("restore: could not clear the running mark", ex);
                    }
                }
            }
        });
    }

    private synchronized void writeView()
    {
        final TreeSet<String> nodes = new TreeSet<>(memberNodeIds());
        nodes.addAll(departed.keySet());
        final View view = new View(System.currentTimeMillis(), nodes);
        try
        {
            writeAtomically(dataDir.resolve("cluster-view"), view.encode() + "\n");
        }
        catch (final IOException ex)
        {
            LOG.error("cannot write the cluster view to {}", dataDir, ex);
        }
    }

    /** Records that this node's journal now covers what it owns (a snapshot finished after the cluster ran). */
    /** A snapshot begins on this member; returns its number (1, 2, ...). */
    long snapshotStarting()
    {
        final long n = ++snapshotsStarted;
        repeatably("started:" + self(), () -> map.put("started:" + self(), Long.toString(n)));
        return n;
    }

    /** Snapshot {@code n} has completed on this member; nodes it covers leave the view. */
    void markSnapshotted(final long n)
    {
        repeatably("snapshot:" + self(), () -> map.put("snapshot:" + self(), Long.toString(n)));
    }

    /**
     * Drops from the view every node that left before a snapshot that has since completed on every member. Cheap
     * when nobody left; run after each local snapshot and every second.
     */
    void dropCoveredDepartures()
    {
        if (departed.isEmpty())
        {
            return;
        }
        boolean changed = false;
        for (final Map.Entry<String, Map<String, Long>> d : departed.entrySet())
        {
            boolean covered = true;
            for (final Member m : hazelcast.getCluster().getMembers())
            {
                final long startedAtRemoval = d.getValue().getOrDefault(m.getUuid().toString(), 0L);
                if (counter("snapshot:" + m.getUuid()) <= startedAtRemoval)
                {
                    covered = false;
                    break;
                }
            }
            if (covered && departed.remove(d.getKey(), d.getValue()))
            {
                changed = true;
                LOG.info("restore: every member has snapshotted since node {} left; it leaves the view", d.getKey());
            }
        }
        if (changed)
        {
            writeView();
        }
    }

    private long counter(final String key)
    {
        final String v = map.get(key);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** True when every current member has finished a snapshot since the cluster last started running. */
    boolean everyMemberSnapshotted()
    {
        for (final Member member : hazelcast.getCluster().getMembers())
        {
            if (map.get("snapshot:" + member.getUuid()) == null)
            {
                return false;
            }
        }
        return true;
    }

    /** Writes to the cluster-view map, at most, before giving up on a write its backup never confirmed. */
    private static final int WRITE_ATTEMPTS = 3;

    /**
     * Runs one write to the cluster-view map that is safe to repeat (every key is this member's own, or set only if
     * absent), repeating it when Hazelcast cannot tell whether the backup took it: on a busy host a backup's ack can
     * come later than its timeout, most of all while members start together, and a node must not fail its start
     * for that (seen once in ClusterRestoreTest).
     */
    private static void repeatably(final String key, final Runnable write)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                write.run();
                return;
            }
            catch (final IndeterminateOperationStateException ex)
            {
                if (attempt >= WRITE_ATTEMPTS)
                {
                    throw ex;
                }
                LOG.warn("restore: the write of {} was not confirmed by its backup (attempt {} of {}); writing it "
                    + "again", key, attempt, WRITE_ATTEMPTS);
            }
        }
    }

    private String self()
    {
        return hazelcast.getCluster().getLocalMember().getUuid().toString();
    }

    private List<String> memberNodeIds()
    {
        final List<String> ids = new ArrayList<>();
        for (final Member m : hazelcast.getCluster().getMembers())
        {
            ids.add(GridConfig.nodeIdOf(m));
        }
        return ids;
    }

    @Override
    public String toString()
    {
        return "ClusterRestore{node=" + nodeId + ", lastView=" + lastView + ", min=" + minClusterSize + ", dataDir="
            + dataDir + "}";
    }
}
