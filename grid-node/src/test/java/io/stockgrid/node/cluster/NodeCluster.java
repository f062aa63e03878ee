package io.stockgrid.node.cluster;

import io.stockgrid.node.NodeProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Up to {@code capacity} node processes of one cluster on loopback: each slot has its own HTTP port, member port and
 * data dir for its whole life (so a restart is on the same data dir and the same addresses), and every member is
 * given the same --members list (all slots, started or not) and --cluster-name. Faults are real signals: SIGTERM
 * ({@link #stop}), SIGKILL ({@link #kill}), SIGSTOP/SIGCONT ({@link #pause}/{@link #resume}). {@link #close()}
 * kills whatever is still running, paused ones included.
 */
public final class NodeCluster implements AutoCloseable
{
    /**
     * JVM options of every node. On a small shared box (2 cores) the C2 compiler threads and G1's concurrent threads
     * of three or four JVMs starve each other, and a node took 25 s instead of 10 s to start; the behaviour under
     * test does not depend on the JIT tier or the collector. Override with -Dcluster.faults.jvm="...".
     */
    static final List<String> JVM_OPTIONS = List.of(System.getProperty("cluster.faults.jvm",
        "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1").trim().split("\\s+"));
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern MEMBERS = Pattern.compile("Members \\{size:(\\d+), ver:\\d+}");
    private static final Pattern FIRST_MEMBER = Pattern.compile("Member \\[[^]]+]:(\\d+)");
    /** Ports below the Linux ephemeral range, so that no outgoing connection takes a port a restart needs. */
    private static final int PORT_RANGE_LOW = 20_000;
    private static final int PORT_RANGE_HIGH = 32_000;
    private static final int HTTP_PORT_OFFSET = 200;

    private final Path root;
    private final String clusterName;
    private final int[] httpPorts;
    private final int[] memberPorts;
    private final List<String> nodeArgs;
    private final NodeProcess[] nodes;
    private final List<List<Path>> logs = new ArrayList<>();
    private final FaultTimeline timeline;

    /**
     * @param nodeArgs flags every node gets besides ports, data dir, members and cluster name.
     */
    public NodeCluster(final Path root, final String clusterName, final int capacity, final List<String> nodeArgs,
        final FaultTimeline timeline)
    {
        this.root = root;
        this.clusterName = clusterName;
        this.nodeArgs = List.copyOf(nodeArgs);
        this.timeline = timeline;
        this.nodes = new NodeProcess[capacity];
        this.httpPorts = new int[capacity];
        this.memberPorts = new int[capacity];
        final int base = freeBlock(capacity);
        for (int i = 0; i < capacity; i++)
        {
            memberPorts[i] = base + i;
            httpPorts[i] = base + HTTP_PORT_OFFSET + i;
            logs.add(new ArrayList<>());
        }
    }

    /** A base port such that base..base+count-1 and the HTTP block above it are free now. */
    private static int freeBlock(final int count)
    {
        final SplittableRandom random = new SplittableRandom(System.nanoTime() ^ ProcessHandle.current().pid());
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int base = PORT_RANGE_LOW + random.nextInt(PORT_RANGE_HIGH - PORT_RANGE_LOW - HTTP_PORT_OFFSET - 2 * count);
            boolean free = true;
            for (int i = 0; i < count && free; i++)
            {
                free = isFree(base + i) && isFree(base + HTTP_PORT_OFFSET + i);
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + count + " ports in " + PORT_RANGE_LOW + ".."
            + PORT_RANGE_HIGH);
    }

    private static boolean isFree(final int port)
    {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
        {
            return true;
        }
        catch (final IOException taken)
        {
            return false;
        }
    }

    public int capacity()
    {
        return nodes.length;
    }

    public String members()
    {
        final StringJoiner members = new StringJoiner(",");
        for (final int port : memberPorts)
        {
            members.add("127.0.0.1:" + port);
        }
        return members.toString();
    }

    /** Launches the given slots together (they may wait for each other's quorum), then waits until all are ready. */
    public void start(final int... slots) throws IOException, InterruptedException
    {
        for (final int slot : slots)
        {
            if (nodes[slot] != null && nodes[slot].isAlive())
            {
                throw new IllegalStateException("node " + slot + " is already running");
            }
            final Path dataDir = root.resolve("node-" + slot);
            Files.createDirectories(dataDir);
            final List<String> args = new ArrayList<>(List.of("--member-port", Integer.toString(memberPorts[slot]),
                "--cluster-name", clusterName, "--members", members(), "--binary-port", "0"));
            args.addAll(nodeArgs);
            nodes[slot] = NodeProcess.launch(dataDir, httpPorts[slot], JVM_OPTIONS, args);
            logs.get(slot).add(nodes[slot].log());
            timeline.event("node " + slot + " launched (pid " + nodes[slot].pid() + ")");
        }
        for (final int slot : slots)
        {
            nodes[slot].awaitReady(READY_TIMEOUT);
            timeline.event("node " + slot + " ready");
        }
    }

    /** SIGTERM and wait for the drain and exit; returns the exit code. */
    public int stop(final int slot) throws InterruptedException
    {
        timeline.event("node " + slot + " SIGTERM");
        final int code = nodes[slot].stop();
        timeline.event("node " + slot + " exited with " + code);
        return code;
    }

    /** SIGKILL. */
    public void kill(final int slot) throws InterruptedException
    {
        nodes[slot].kill();
        timeline.event("node " + slot + " SIGKILL");
    }

    /** SIGKILL to every running slot, as close together as the JVM can send them. */
    public void killAll() throws InterruptedException
    {
        final List<Integer> killed = new ArrayList<>();
        for (int slot = 0; slot < nodes.length; slot++)
        {
            if (nodes[slot] != null && nodes[slot].isAlive())
            {
                killed.add(slot);
                nodes[slot].destroyForcibly();
            }
        }
        for (final int slot : killed)
        {
            nodes[slot].kill();
        }
        timeline.event("SIGKILL to nodes " + killed);
    }

    public void pause(final int slot) throws IOException, InterruptedException
    {
        nodes[slot].pause();
        timeline.event("node " + slot + " SIGSTOP");
    }

    public void resume(final int slot) throws IOException, InterruptedException
    {
        nodes[slot].resume();
        timeline.event("node " + slot + " SIGCONT");
    }

    public int httpPort(final int slot)
    {
        return httpPorts[slot];
    }

    /** Every slot's HTTP port, started or not: a client that knows the cluster's addresses. */
    public int[] httpPorts()
    {
        return httpPorts.clone();
    }

    /** HTTP ports of the slots whose process is alive. */
    public int[] runningHttpPorts()
    {
        return running().stream().mapToInt(slot -> httpPorts[slot]).toArray();
    }

    public List<Integer> running()
    {
        final List<Integer> running = new ArrayList<>();
        for (int slot = 0; slot < nodes.length; slot++)
        {
            if (nodes[slot] != null && nodes[slot].isAlive())
            {
                running.add(slot);
            }
        }
        return running;
    }

    /** Every log this slot wrote, one per start, oldest first. */
    public List<Path> logs(final int slot)
    {
        return List.copyOf(logs.get(slot));
    }

    public Path currentLog(final int slot)
    {
        return nodes[slot].log();
    }

    /**
     * Waits until the latest member list each running node logged has {@code size} members (Hazelcast logs
     * "Members {size:N, ver:V}" at every change).
     */
    public void awaitMembers(final int size, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        String seen = "";
        while (System.nanoTime() < deadline)
        {
            boolean all = true;
            final StringJoiner sizes = new StringJoiner(", ");
            for (final int slot : running())
            {
                final int logged = lastMemberCount(nodes[slot].log());
                sizes.add(slot + ":" + logged);
                all &= logged == size;
            }
            seen = sizes.toString();
            if (all)
            {
                timeline.event("every running node sees " + size + " members");
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("cluster did not settle at " + size + " members within " + timeout
            + " (node:members " + seen + ")");
    }

    /**
     * The slot of the cluster's master, as the first running node's log last listed it (Hazelcast lists the oldest
     * member, the master, first).
     */
    public int master()
    {
        try
        {
            final String log = read(nodes[running().get(0)].log());
            final int at = log.lastIndexOf("Members {size:");
            final Matcher m = FIRST_MEMBER.matcher(log);
            if (at < 0 || !m.find(at))
            {
                throw new IllegalStateException("no member list logged yet");
            }
            final int port = Integer.parseInt(m.group(1));
            for (int slot = 0; slot < memberPorts.length; slot++)
            {
                if (memberPorts[slot] == port)
                {
                    return slot;
                }
            }
            throw new IllegalStateException("master at member port " + port + " is not one of this cluster's slots");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static int lastMemberCount(final Path log)
    {
        try
        {
            final Matcher m = MEMBERS.matcher(read(log));
            int last = 0;
            while (m.find())
            {
                last = Integer.parseInt(m.group(1));
            }
            return last;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Lines of this slot's logs (all starts) that contain {@code text}. */
    public List<String> grep(final int slot, final String text)
    {
        final List<String> found = new ArrayList<>();
        for (final Path log : logs.get(slot))
        {
            try
            {
                for (final String line : read(log).split("\n"))
                {
                    if (line.contains(text))
                    {
                        found.add(line);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        return found;
    }

    /** A log as text whatever its bytes (a kill can cut a line in the middle of a character). */
    private static String read(final Path log) throws IOException
    {
        return new String(Files.readAllBytes(log), StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws InterruptedException
    {
        for (final NodeProcess node : nodes)
        {
            if (node != null)
            {
                node.destroyForcibly();
            }
        }
        for (final NodeProcess node : nodes)
        {
            if (node != null)
            {
                node.close();
            }
        }
    }
}
