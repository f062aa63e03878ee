package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.test.HazelcastTestSupport;
import com.hazelcast.test.SplitBrainTestSupport;
import com.hazelcast.test.TestHazelcastInstanceFactory;
import io.stockgrid.grid.FreePorts;
import io.stockgrid.grid.StockRecord;
import io.stockgrid.grid.WireFormat;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenario 5: a 3-node cluster (min cluster size 2) is split 1 | 2 under a reservation load, with Hazelcast's own
 * firewalling member network. The minority must refuse mutations (503 NO_QUORUM) and still answer reads, the
 * majority must keep accepting reservations, and after the heal (the minority's entries are discarded) no key may be
 * oversold and no acknowledged reservation may be lost.
 */
class SplitBrainTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int KEYS = 20;
    private static final int STOCK = 50;
    private static final String LOCATION = "LOC-1";
    private static final int THREADS_PER_NODE = 2;
    private static final long PACE_MS = 100;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();

    /** One attempted reservation (quantity 1 on one key) and what the caller was told. */
    private static final class Attempt
    {
        final String id;
        final int key;
        final int firstNode;
        volatile String outcome; // HELD, REJECTED, or null (in doubt: never acknowledged)
        volatile int ackNode = -1;
        volatile long sentNs;
        volatile long ackNs;

        Attempt(final String id, final int key, final int firstNode)
        {
            this.id = id;
            this.key = key;
            this.firstNode = firstNode;
        }
    }

    private record Reply(int status, JsonNode json)
    {
        String error()
        {
            return json == null ? "" : json.path("error").asText();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void minorityRefusesMutationsAndNothingIsOversoldOrLostAfterTheHeal(@TempDir final Path dir) throws Exception
    {
        final long testStartNs = System.nanoTime();
        final int[] memberPorts = FreePorts.loopback(3);
        final String members = "127.0.0.1:" + memberPorts[0] + ",127.0.0.1:" + memberPorts[1] + ",127.0.0.1:"
            + memberPorts[2];
        final String clusterName = "split-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        final StockgridNode[] nodes = new StockgridNode[3];
        final ExecutorService starters = Executors.newFixedThreadPool(3);
        final ExecutorService load = Executors.newFixedThreadPool(3 * THREADS_PER_NODE);
        final AtomicBoolean stop = new AtomicBoolean();
        try
        {
            final List<Future<StockgridNode>> starting = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final NodeConfig config = TestNode.config(dir.resolve("node" + (i + 1)))
                    .set(Setting.MEMBER_PORT, Integer.toString(memberPorts[i]))
                    .set(Setting.MEMBERS, members)
                    .set(Setting.MIN_CLUSTER_SIZE, "2")
                    .set(Setting.CLUSTER_NAME, clusterName)
                    .set(Setting.DRAIN_TIMEOUT_SECONDS, "2")
                    .conclude();
                starting.add(starters.submit(() -> StockgridNode.start(config, SystemEpochClock.INSTANCE,
                    // The production member (wire-format check included, so the heal's rejoin passes it too) on a
                    // network the test can cut.
                    hzConfig -> WireFormat.newMember(hzConfig, WireFormat.VERSION,
                        new TestHazelcastInstanceFactory.FirewallingNodeContext(new DefaultNodeContext())))));
            }
            for (int i = 0; i < 3; i++)
            {
                nodes[i] = starting.get(i).get(60, TimeUnit.SECONDS);
            }
            final long startedNs = System.nanoTime();
            final HazelcastInstance h1 = nodes[0].hazelcast();
            final HazelcastInstance h2 = nodes[1].hazelcast();
            final HazelcastInstance h3 = nodes[2].hazelcast();
            awaitClusterSize(nodes, 3, 20_000);

            for (int k = 0; k < KEYS; k++)
            {
                Reply put = null;
                for (int attempt = 0; attempt < 5 && (put == null || put.status() == 503); attempt++)
                {
                    try
                    {
                        put = send(nodes[k % 3], "PUT", "/v1/stock/" + sku(k) + "/" + LOCATION,
                            "{\"onHand\":" + STOCK + "}", 10_000);
                    }
                    catch (final IOException ex)
                    {
                        put = null; // absolute, so repeating it is safe
                    }
                }
                assertThat(put).as("seeding %s", sku(k)).isNotNull();
                assertThat(put.status()).as("seeding %s", sku(k)).isEqualTo(200);
            }

            // --- the load: 2 threads per node, each reservation retried with the same id on 503/timeouts, moving
            // on to the next node, until it is acknowledged (201 HELD / 409 REJECTED) or the load has stopped.
            final Map<String, Attempt> attempts = new ConcurrentHashMap<>();
            final AtomicLong requests = new AtomicLong();
            final AtomicLong minorityNoQuorum = new AtomicLong();
            final AtomicLong noQuorumOther = new AtomicLong();
            final AtomicLong unavailable = new AtomicLong();
            final AtomicLong timeouts = new AtomicLong();
            final AtomicLong errors = new AtomicLong();
            final AtomicLong inProgressAnswers = new AtomicLong();
            final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
            final AtomicLong firstMinorityNoQuorumNs = new AtomicLong();
            final ConcurrentLinkedQueue<long[]> majorityAcks = new ConcurrentLinkedQueue<>(); // {ackNs}
            final ConcurrentLinkedQueue<Attempt> minorityHeldAcks = new ConcurrentLinkedQueue<>();
            final List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 3 * THREADS_PER_NODE; t++)
            {
                final int home = t % 3;
                final int thread = t;
                workers.add(load.submit(() ->
                {
                    long seq = 0;
                    while (!stop.get())
                    {
                        final int key = ThreadLocalRandom.current().nextInt(KEYS);
                        final Attempt attempt = new Attempt("r-" + thread + "-" + seq++, key, home);
                        attempts.put(attempt.id, attempt);
                        final String body = "{\"reservationId\":\"" + attempt.id + "\",\"lines\":[{\"sku\":\""
                            + sku(key) + "\",\"location\":\"" + LOCATION + "\",\"quantity\":1}],\"ttlSeconds\":600}";
                        int node = home;
                        while (true)
                        {
                            requests.incrementAndGet();
                            attempt.sentNs = System.nanoTime();
                            Reply reply;
                            try
                            {
                                reply = send(nodes[node], "POST", "/v1/reservations", body, 4_000);
                            }
                            catch (final IOException ex)
                            {
                                timeouts.incrementAndGet();
                                reply = null;
                            }
                            final boolean inProgress = reply != null && reply.status() == 409
                                && "REQUEST_IN_PROGRESS".equals(reply.error());
                            if (inProgress)
                            {
                                inProgressAnswers.incrementAndGet();
                            }
                            if (reply != null && !inProgress && (reply.status() == 201 || reply.status() == 409))
                            {
                                final String status = reply.json() == null ? "" : reply.json().path("status")
                                    .asText();
                                attempt.outcome = reply.status() == 201 ? "HELD" : "REJECTED";
                                attempt.ackNode = node;
                                attempt.ackNs = System.nanoTime();
                                if (!attempt.outcome.equals(status))
                                {
                                    errors.incrementAndGet();
                                    errorSamples.add(attempt.id + ": " + reply.status() + " " + reply.json());
                                }
                                if (node != 0)
                                {
                                    majorityAcks.add(new long[] {attempt.ackNs});
                                }
                                else if (reply.status() == 201)
                                {
                                    minorityHeldAcks.add(attempt);
                                }
                                break;
                            }
                            if (reply != null && reply.status() == 503)
                            {
                                if ("NO_QUORUM".equals(reply.error()))
                                {
                                    if (node == 0)
                                    {
                                        minorityNoQuorum.incrementAndGet();
                                        firstMinorityNoQuorumNs.compareAndSet(0, System.nanoTime());
                                    }
                                    else
                                    {
                                        noQuorumOther.incrementAndGet();
                                    }
                                }
                                else
                                {
                                    unavailable.incrementAndGet();
                                }
                            }
                            else if (reply != null && !inProgress)
                            {
                                errors.incrementAndGet();
                                if (errorSamples.size() < 10)
                                {
                                    errorSamples.add(attempt.id + " on node" + (node + 1) + ": " + reply.status()
                                        + " " + reply.json());
                                }
                            }
                            if (stop.get())
                            {
                                break; // in doubt
                            }
                            node = (node + 1) % 3;
                            sleep(50);
                        }
                        sleep(PACE_MS);
                    }
                    return null;
                }));
            }

            sleep(5_000);

            // --- split node1 | node2 + node3
            final long splitNs = System.nanoTime();
            SplitBrainTestSupport.blockCommunicationBetween(h1, h2);
            SplitBrainTestSupport.blockCommunicationBetween(h1, h3);
            HazelcastTestSupport.closeConnectionBetween(h1, h2);
            HazelcastTestSupport.closeConnectionBetween(h1, h3);
            HazelcastTestSupport.suspectMember(h1, h2);
            HazelcastTestSupport.suspectMember(h1, h3);
            HazelcastTestSupport.suspectMember(h2, h1);
            HazelcastTestSupport.suspectMember(h3, h1);
            final long sizesDeadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < sizesDeadline && (h1.getCluster().getMembers().size() != 1
                || h2.getCluster().getMembers().size() != 2 || h3.getCluster().getMembers().size() != 2))
            {
                sleep(100);
            }
            final long splitSeenMs = (System.nanoTime() - splitNs) / 1_000_000;
            assertThat(h1.getCluster().getMembers()).as("node1 alone").hasSize(1);
            assertThat(h2.getCluster().getMembers()).as("node2 with node3").hasSize(2);
            assertThat(h3.getCluster().getMembers()).as("node3 with node2").hasSize(2);

            // The minority refuses a mutation with 503 NO_QUORUM within 15 s, and still answers reads.
            final long noQuorumDeadline = System.nanoTime() + 15_000_000_000L;
            Reply probe = null;
            int probeSeq = 0;
            while (System.nanoTime() < noQuorumDeadline)
            {
                probe = send(nodes[0], "PUT", "/v1/stock/PROBE-" + probeSeq++ + "/" + LOCATION, "{\"onHand\":1}",
                    5_000);
                if (probe.status() == 503 && "NO_QUORUM".equals(probe.error()))
                {
                    break;
                }
                sleep(200);
            }
            final long minorityRefusesNs = System.nanoTime();
            assertThat(probe.status()).as("node1's answer to a stock PUT while alone: %s", probe.json())
                .isEqualTo(503);
            assertThat(probe.error()).isEqualTo("NO_QUORUM");
            final Reply minorityRead = send(nodes[0], "GET", "/v1/availability/" + sku(0) + "/" + LOCATION, null,
                5_000);
            // (asserted at the end, so that the heal and the invariants are checked and reported as well)
            final Reply minorityReservationRead = send(nodes[0], "GET", "/v1/reservations/r-0-0", null, 5_000);

            // Let the majority work alone for a while; it must keep holding stock.
            sleep(8_000);
            final long healNs = System.nanoTime();
            final long majorityHeldDuringSplit = attempts.values().stream()
                .filter(a -> "HELD".equals(a.outcome) && a.ackNode != 0 && a.ackNs > splitNs && a.ackNs < healNs)
                .count();
            final long majorityAcksDuringSplit = attempts.values().stream()
                .filter(a -> a.outcome != null && a.ackNode != 0 && a.ackNs > splitNs && a.ackNs < healNs)
                .count();
            final long minorityHeldAfterRefusing = minorityHeldAcks.stream()
                .filter(a -> a.ackNs > minorityRefusesNs && a.ackNs < healNs).count();
            final long minorityHeldInSplit = minorityHeldAcks.stream()
                .filter(a -> a.ackNs > splitNs && a.ackNs < healNs).count();

            // --- heal
            SplitBrainTestSupport.unblockCommunicationBetween(h1, h2);
            SplitBrainTestSupport.unblockCommunicationBetween(h1, h3);
            final boolean healed = awaitClusterSize(nodes, 3, 45_000);
            final long healedMs = (System.nanoTime() - healNs) / 1_000_000;
            sleep(2_000);
            stop.set(true);
            for (final Future<?> worker : workers)
            {
                worker.get(30, TimeUnit.SECONDS);
            }
            final long loadEndNs = System.nanoTime();

            // --- invariants; in-doubt calls may still be settling, so look again for a few seconds until stable
            Map<Integer, long[]> availability = null; // key -> {onHand, reserved} (node2's view)
            Map<Integer, Long> heldByGet = null;
            List<String> violations = null;
            int inDoubt = 0;
            int inDoubtHeld = 0;
            final long checkDeadline = System.nanoTime() + 12_000_000_000L;
            while (true)
            {
                violations = new ArrayList<>();
                availability = new TreeMap<>();
                heldByGet = new TreeMap<>();
                inDoubt = 0;
                inDoubtHeld = 0;
                for (int k = 0; k < KEYS; k++)
                {
                    long[] first = null;
                    for (int n = 0; n < 3; n++)
                    {
                        final Reply a = send(nodes[n], "GET", "/v1/availability/" + sku(k) + "/" + LOCATION, null,
                            5_000);
                        if (a.status() != 200)
                        {
                            violations.add("availability of " + sku(k) + " on node" + (n + 1) + ": " + a.status()
                                + " " + a.json());
                            continue;
                        }
                        final long[] seen = {a.json().path("onHand").asLong(), a.json().path("reserved").asLong()};
                        if (first == null)
                        {
                            first = seen;
                        }
                        else if (first[0] != seen[0] || first[1] != seen[1])
                        {
                            violations.add(sku(k) + " differs between nodes: " + first[0] + "/" + first[1]
                                + " vs node" + (n + 1) + " " + seen[0] + "/" + seen[1]);
                        }
                    }
                    if (first != null)
                    {
                        availability.put(k, first);
                        heldByGet.put(k, 0L);
                        if (first[1] > first[0])
                        {
                            violations.add("OVERSOLD " + sku(k) + ": reserved " + first[1] + " > onHand "
                                + first[0]);
                        }
                    }
                }
                final long[] heldAcksPerKey = new long[KEYS];
                final Map<Integer, List<String>> heldIdsPerKey = new TreeMap<>();
                final Map<Integer, List<String>> notHeldPerKey = new TreeMap<>();
                for (final Attempt attempt : attempts.values())
                {
                    final Reply r = send(nodes[1 + (attempt.id.hashCode() & 1)], "GET",
                        "/v1/reservations/" + attempt.id, null, 5_000);
                    final String status = r.status() == 200 ? r.json().path("status").asText() : null;
                    if (status != null && "HELD".equals(status))
                    {
                        heldByGet.merge(attempt.key, 1L, Long::sum);
                        heldIdsPerKey.computeIfAbsent(attempt.key, k -> new ArrayList<>()).add(attempt.id);
                    }
                    else
                    {
                        notHeldPerKey.computeIfAbsent(attempt.key, k -> new ArrayList<>()).add(attempt.id + " (told "
                            + attempt.outcome + " by node" + (attempt.ackNode + 1) + ", GET " + r.status() + " "
                            + status + ")");
                    }
                    if (attempt.outcome == null)
                    {
                        inDoubt++;
                        if ("HELD".equals(status))
                        {
                            inDoubtHeld++;
                        }
                        if (r.status() != 200 && r.status() != 404)
                        {
                            violations.add("GET in-doubt " + attempt.id + ": " + r.status() + " " + r.json());
                        }
                    }
                    else if ("HELD".equals(attempt.outcome))
                    {
                        heldAcksPerKey[attempt.key]++;
                        if (!"HELD".equals(status))
                        {
                            violations.add("LOST acknowledged HELD " + attempt.id + " (" + sku(attempt.key)
                                + ", acked by node" + (attempt.ackNode + 1) + " at +"
                                + (attempt.ackNs - splitNs) / 1_000_000 + " ms from the split): GET " + r.status()
                                + " " + r.json());
                        }
                    }
                    else if ("HELD".equals(status))
                    {
                        violations.add("acknowledged REJECTED " + attempt.id + " shows HELD");
                    }
                }
                for (int k = 0; k < KEYS; k++)
                {
                    if (heldAcksPerKey[k] > STOCK)
                    {
                        violations.add("OVERSOLD " + sku(k) + ": " + heldAcksPerKey[k] + " acknowledged HELD > "
                            + STOCK);
                    }
                    final long[] a = availability.get(k);
                    final long held = heldByGet.getOrDefault(k, 0L);
                    if (a != null && a[1] != held)
                    {
                        violations.add(sku(k) + ": reserved " + a[1] + " != " + held
                            + " units of reservations GET shows HELD; its reservations not HELD: "
                            + notHeldPerKey.getOrDefault(k, List.of()) + "; " + holdsDiff(nodes[1], k,
                            heldIdsPerKey.getOrDefault(k, List.of()), attempts));
                    }
                }
                if (violations.isEmpty() || System.nanoTime() > checkDeadline)
                {
                    break;
                }
                sleep(2_000);
            }

            // --- report
            final List<Long> acks = new ArrayList<>();
            majorityAcks.forEach(a -> acks.add(a[0]));
            acks.sort(Long::compare);
            long longestGapMs = 0;
            for (int i = 1; i < acks.size(); i++)
            {
                longestGapMs = Math.max(longestGapMs, (acks.get(i) - acks.get(i - 1)) / 1_000_000);
            }
            final long held = attempts.values().stream().filter(a -> "HELD".equals(a.outcome)).count();
            final long rejected = attempts.values().stream().filter(a -> "REJECTED".equals(a.outcome)).count();
            long reservedTotal = 0;
            for (final long[] a : availability.values())
            {
                reservedTotal += a[1];
            }
            final StringBuilder report = new StringBuilder();
            report.append("SplitBrainTest report\n")
                .append("  nodes started in ").append((startedNs - testStartNs) / 1_000_000).append(" ms\n")
                .append("  split seen by the members in ").append(splitSeenMs).append(" ms; minority answered ")
                .append("NO_QUORUM ").append((minorityRefusesNs - splitNs) / 1_000_000).append(" ms after the split")
                .append(" (first NO_QUORUM to load at +")
                .append(firstMinorityNoQuorumNs.get() == 0 ? -1 : (firstMinorityNoQuorumNs.get() - splitNs)
                    / 1_000_000).append(" ms)\n")
                .append("  minority reads during the split: availability ").append(minorityRead.status())
                .append(minorityRead.status() == 200 ? "" : " " + minorityRead.json())
                .append(", reservation r-0-0 ").append(minorityReservationRead.status()).append('\n')
                .append("  heal: all 3 members again after ").append(healedMs).append(" ms (healed=").append(healed)
                .append(")\n")
                .append("  requests ").append(requests.get()).append(", reservations ").append(attempts.size())
                .append(": HELD ").append(held).append(", REJECTED ").append(rejected).append(", in doubt ")
                .append(inDoubt).append(" (of which GET shows HELD ").append(inDoubtHeld).append(")\n")
                .append("  503 NO_QUORUM from the minority ").append(minorityNoQuorum.get())
                .append(", NO_QUORUM from the majority ").append(noQuorumOther.get()).append(", 409 REQUEST_IN_PROGRESS (retried) ").append(inProgressAnswers.get()).append(", other 503 ")
                .append(unavailable.get()).append(", client timeouts/IO ").append(timeouts.get())
                .append(", unexpected answers ").append(errors.get()).append(' ').append(errorSamples).append('\n')
                .append("  majority during the split: ").append(majorityAcksDuringSplit).append(" acknowledged, ")
                .append(majorityHeldDuringSplit).append(" HELD; longest gap between majority acknowledgements ")
                .append(longestGapMs).append(" ms\n")
                .append("  minority HELD acks during the split ").append(minorityHeldInSplit)
                .append(" (after it refused: ").append(minorityHeldAfterRefusing).append(")\n")
                .append("  invariants: onHand ").append(KEYS * STOCK).append(" units total, reserved ")
                .append(reservedTotal).append(", GET-HELD units ")
                .append(heldByGet.values().stream().mapToLong(Long::longValue).sum())
                .append(", acknowledged HELD ").append(held).append("; violations ").append(violations.size())
                .append(' ').append(violations.subList(0, Math.min(20, violations.size()))).append('\n')
                .append("  load ran ").append((loadEndNs - startedNs) / 1_000_000).append(" ms; test ")
                .append((System.nanoTime() - testStartNs) / 1_000_000).append(" ms\n");
            System.out.println(report);
            System.err.println(report);

            assertThat(healed).as("all three members see each other again after the heal").isTrue();
            assertThat(minorityRefusesNs - splitNs).as("minority refuses within 15 s")
                .isLessThan(15_000_000_000L);
            assertThat(minorityHeldAfterRefusing).as("HELD acknowledged by the minority after it refused")
                .isZero();
            assertThat(majorityHeldDuringSplit).as("majority keeps holding stock during the split")
                .isGreaterThan(0);
            assertThat(violations).as("invariants after the heal").isEmpty();
            assertThat(minorityRead.status()).as("node1 still answers availability reads during the split: %s",
                minorityRead.json()).isEqualTo(200);
            assertThat(minorityReservationRead.status()).as("node1 still answers reservation reads during the split")
                .isIn(200, 404);
        }
        finally
        {
            stop.set(true);
            load.shutdownNow();
            starters.shutdownNow();
            for (final StockgridNode node : nodes)
            {
                if (node != null)
                {
                    try
                    {
                        node.close();
                    }
                    catch (final RuntimeException ex)
                    {
                        ex.printStackTrace();
                    }
                }
            }
            load.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static String sku(final int k)
    {
        return "SKU-" + k;
    }

    /** Which reservations read HELD without a hold on the key, and which holds have no HELD reservation. */
    private static String holdsDiff(final StockgridNode node, final int k, final List<String> heldIds,
        final Map<String, Attempt> attempts)
    {
        final StockRecord record = node.service().stockRecord(sku(k), LOCATION);
        final Map<String, StockRecord.Hold> holds = record == null ? Map.of() : record.holds();
        final List<String> heldWithoutHold = new ArrayList<>();
        for (final String id : heldIds)
        {
            if (!holds.containsKey(id))
            {
                final Attempt a = attempts.get(id);
                heldWithoutHold.add(id + " (told " + a.outcome + " by node" + (a.ackNode + 1) + ", first sent to node"
                    + (a.firstNode + 1) + ")");
            }
        }
        final List<String> holdsWithoutHeld = new ArrayList<>();
        for (final Map.Entry<String, StockRecord.Hold> h : holds.entrySet())
        {
            if (!heldIds.contains(h.getKey()))
            {
                holdsWithoutHeld.add(h.getKey() + " " + h.getValue());
            }
        }
        return "HELD without a hold here: " + heldWithoutHold + "; holds without a HELD reservation: "
            + holdsWithoutHeld;
    }

    private static boolean awaitClusterSize(final StockgridNode[] nodes, final int size, final long timeoutMs)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline)
        {
            boolean all = true;
            for (final StockgridNode node : nodes)
            {
                all &= node.hazelcast().getLifecycleService().isRunning()
                    && node.hazelcast().getCluster().getMembers().size() == size;
            }
            if (all)
            {
                return true;
            }
            sleep(100);
        }
        return false;
    }

    private Reply send(final StockgridNode node, final String method, final String path, final String json,
        final long timeoutMs) throws IOException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + path)).timeout(Duration.ofMillis(timeoutMs));
        if (json == null)
        {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        else
        {
            request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try
        {
            final HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")
                && !response.body().isEmpty())
            {
                body = MAPPER.readTree(response.body());
            }
            return new Reply(response.statusCode(), body);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
