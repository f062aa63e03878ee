package io.stockgrid.node.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real node processes in a real cluster (TCP-IP join on loopback, --min-cluster-size 2), a flash sale driven at all
 * of them, a fault in the middle of it (members joining, leaving gracefully, killed, frozen, the whole cluster
 * killed and restarted), and an outside audit of what the client was told against what the cluster holds afterwards.
 * Each test writes its report to target/cluster-faults/&lt;test&gt;.json (and, when an audit fails, the whole ledger
 * as CSV, and the nodes' logs, beside it). Speed is reported, never asserted.
 * <p>
 * The parts: {@link NodeCluster} (the processes and their signals), {@link FlashSaleDriver} (the load and what the
 * client was told), {@link OutsideAuditor} (the checks), {@link FaultReport}. Rerun one scenario with
 * {@code mvn -B -o verify -pl grid-node -am -Dit.test='ClusterFaultIT#<test>' -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false}, its seed with {@code -Dcluster.faults.seed=<seed>}.
 * <p>
 * Split-brain (scenario 5 of the cluster issue) is not here.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterFaultIT
{
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(45);
    private static final List<String> NODE_ARGS = List.of("--min-cluster-size", "2", "--drain-timeout-seconds", "10");

    @TempDir
    Path tmp;

    private String testName;
    private long seed;
    private long startNs;
    private FaultTimeline timeline;
    private FaultReport report;
    private NodeHttp http;
    private NodeCluster cluster;
    private FlashSaleDriver driver;
    private final List<FlashSaleDriver> drivers = new ArrayList<>();
    private boolean reported;

    @BeforeEach
    void setUp(final TestInfo info)
    {
        testName = info.getTestMethod().orElseThrow().getName();
        seed = Long.getLong("cluster.faults.seed", testName.hashCode());
        startNs = System.nanoTime();
        timeline = new FaultTimeline();
        report = new FaultReport(testName, seed);
        http = new NodeHttp(Duration.ofSeconds(1), Duration.ofSeconds(2));
        System.out.println("==== " + testName + " seed " + seed + " (rerun with -Dcluster.faults.seed=" + seed + ")");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        try
        {
            if (!reported && report != null)
            {
                report.violation("the scenario stopped before its audit: see the test's exception");
                writeReport();
            }
            for (final FlashSaleDriver d : drivers)
            {
                d.close();
            }
        }
        finally
        {
            if (cluster != null)
            {
                cluster.close();
                keepLogs();
            }
        }
    }

    /** Copies the nodes' logs next to the report before the temp dir goes. */
    private void keepLogs() throws java.io.IOException
    {
        final Path dir = FaultReport.reportDir().resolve(testName + "-logs");
        java.nio.file.Files.createDirectories(dir);
        for (int slot = 0; slot < cluster.capacity(); slot++)
        {
            int start = 0;
            for (final Path log : cluster.logs(slot))
            {
                java.nio.file.Files.copy(log, dir.resolve("node-" + slot + "-start-" + start++ + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private NodeCluster cluster(final int capacity)
    {
        cluster = new NodeCluster(tmp, "faults-" + ProcessHandle.current().pid() + "-" + testName.hashCode(),
            capacity, NODE_ARGS, timeline);
        return cluster;
    }

    private FlashSaleDriver driver(final StockPlan plan, final FlashSaleDriver.Workload workload,
        final int... targets)
    {
        driver = new FlashSaleDriver(http, plan, workload, timeline,
            "r" + Long.toHexString(seed & 0xffff) + "-" + (char)('a' + drivers.size()), targets);
        drivers.add(driver);
        return driver;
    }

    private static StockPlan flashSalePlan()
    {
        return StockPlan.flashSale(4, 400, 100, 30);
    }

    private static int[] ports(final NodeCluster cluster, final int... slots)
    {
        final int[] ports = new int[slots.length];
        for (int i = 0; i < slots.length; i++)
        {
            ports[i] = cluster.httpPort(slots[i]);
        }
        return ports;
    }

    private static void sleepSeconds(final double seconds) throws InterruptedException
    {
        Thread.sleep((long)(seconds * 1000));
    }

    /** Audits the cluster through {@code slots} against every driver's ledger, adds it to the report. */
    private OutsideAuditor.Result audit(final String label, final StockPlan plan, final boolean resolveInDoubt,
        final boolean expiryPossible, final int... slots) throws InterruptedException
    {
        timeline.event("audit '" + label + "' through nodes " + java.util.Arrays.toString(slots));
        final List<Tracked> ledger = new ArrayList<>();
        for (final FlashSaleDriver d : drivers)
        {
            ledger.addAll(d.ledger());
        }
        final OutsideAuditor.Result result = new OutsideAuditor(ledger, plan, http, ports(cluster, slots),
            expiryPossible).audit(resolveInDoubt);
        report.audit(label, result, ledger, plan);
        timeline.event("audit '" + label + "' done: " + result.violationCount() + " violations");
        return result;
    }

    /** Per slot: the warnings and errors its logs hold, and the lines a scenario asks for. */
    private void logEvidence(final String... alsoGrep)
    {
        final Map<String, Object> evidence = new LinkedHashMap<>();
        for (int slot = 0; slot < cluster.capacity(); slot++)
        {
            if (cluster.logs(slot).isEmpty())
            {
                continue;
            }
            final Map<String, Object> node = new LinkedHashMap<>();
            final List<String> warns = cluster.grep(slot, " WARN ");
            final List<String> errors = cluster.grep(slot, " ERROR ");
            final List<String> kept = new ArrayList<>();
            for (int start = 0; start < cluster.logs(slot).size(); start++)
            {
                kept.add(testName + "-logs/node-" + slot + "-start-" + start + ".log");
            }
            node.put("logs", kept);
            node.put("warnLines", warns.size());
            node.put("errorLines", errors.size());
            node.put("firstErrors", errors.subList(0, Math.min(5, errors.size())));
            node.put("firstWarnings", warns.subList(0, Math.min(5, warns.size())));
            for (final String text : alsoGrep)
            {
                final List<String> lines = cluster.grep(slot, text);
                node.put("'" + text + "'", lines.subList(0, Math.min(10, lines.size())));
            }
            evidence.put("node " + slot, node);
        }
        report.put("nodeLogs", evidence);
    }

    private Path writeReport()
    {
        reported = true;
        for (int i = 0; i < drivers.size(); i++)
        {
            report.driver(drivers.size() == 1 ? "driver" : "driver " + (i + 1), drivers.get(i));
        }
        return report.write(timeline, (System.nanoTime() - startNs) / 1_000_000);
    }

    private void finish()
    {
        final Path file = writeReport();
        assertThat(report.violations()).as("violations (report: " + file + ")").isEmpty();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 1. Scale out 2 -> 3 -> 4 under load
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepEveryAcknowledgedOutcomeWhileScalingOutFromTwoToFourNodes() throws Exception
    {
        final StockPlan plan = flashSalePlan();
        cluster(4).start(0, 1);
        cluster.awaitMembers(2, SETTLE_TIMEOUT);
        driver(plan, FlashSaleDriver.Workload.flashSale(seed), ports(cluster, 0, 1)).setStock();
        driver.start();
        sleepSeconds(6);
        for (int slot = 2; slot <= 3; slot++)
        {
            timeline.faultBegins("node " + slot + " joins under load");
            cluster.start(slot);
            cluster.awaitMembers(slot + 1, SETTLE_TIMEOUT);
            driver.targets(cluster.runningHttpPorts());
            timeline.faultEnds();
            sleepSeconds(5);
        }
        driver.stop();
        audit("after scale-out", plan, true, false, 0, 1, 2, 3);
        logEvidence("Members {size:");
        finish();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 2. Scale in 4 -> 2 by SIGTERM under load
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepEveryAcknowledgedOutcomeWhileScalingInFromFourToTwoNodesGracefully() throws Exception
    {
        final StockPlan plan = flashSalePlan();
        cluster(4).start(0, 1, 2, 3);
        cluster.awaitMembers(4, SETTLE_TIMEOUT);
        driver(plan, FlashSaleDriver.Workload.flashSale(seed), cluster.runningHttpPorts()).setStock();
        driver.start();
        sleepSeconds(6);
        final Map<String, Object> stops = new TreeMap<>();
        for (int slot = 3; slot >= 2; slot--)
        {
            timeline.faultBegins("node " + slot + " SIGTERM under load");
            final long stopNs = System.nanoTime();
            final int exit = cluster.stop(slot);
            final long stopMs = (System.nanoTime() - stopNs) / 1_000_000;
            // A load balancer takes a node out once it has gone (it answered 503 NOT_READY while draining).
            driver.targets(cluster.runningHttpPorts());
            cluster.awaitMembers(slot, SETTLE_TIMEOUT);
            timeline.faultEnds();
            final boolean drained = !cluster.grep(slot, "Stockgrid node stopped").isEmpty();
            final List<String> drainTimeouts = cluster.grep(slot, "drain timed out");
            stops.put("node " + slot, Map.of("exitCode", exit, "stopMs", stopMs, "loggedStopped", drained,
                "drainTimedOut", drainTimeouts));
            if (!drained || exit != 143 && exit != 0)
            {
                report.violation("node " + slot + " did not stop gracefully on SIGTERM: exit " + exit
                    + ", 'Stockgrid node stopped' logged: " + drained);
            }
            sleepSeconds(5);
        }
        report.put("gracefulStops", stops);
        driver.stop();
        audit("after scale-in", plan, true, false, 0, 1);
        logEvidence("Members {size:", "drain");
        finish();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 3. kill -9 one of three under load
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepServingAndKeepEveryAcknowledgedOutcomeWhenOneOfThreeIsKilled() throws Exception
    {
        final StockPlan plan = flashSalePlan();
        cluster(3).start(0, 1, 2);
        cluster.awaitMembers(3, SETTLE_TIMEOUT);
        driver(plan, FlashSaleDriver.Workload.flashSale(seed), cluster.runningHttpPorts()).setStock();
        driver.start();
        sleepSeconds(7);
        // The master: its death also moves the partition table's ownership.
        final int victim = cluster.master();
        report.put("killed", "node " + victim + " (the master)");
        timeline.faultBegins("node " + victim + " (master) SIGKILL under load");
        final long acknowledgedBefore = driver.acknowledged();
        cluster.kill(victim);
        // The client still has the dead node in its list: its calls there fail to connect and go to the next node.
        cluster.awaitMembers(2, SETTLE_TIMEOUT);
        timeline.faultEnds();
        sleepSeconds(8);
        final long acknowledgedAfter = driver.acknowledged();
        driver.stop();
        report.put("acknowledgedBeforeKill", acknowledgedBefore);
        report.put("acknowledgedAfterKillUntilStop", acknowledgedAfter - acknowledgedBefore);
        if (acknowledgedAfter - acknowledgedBefore < 100)
        {
            report.violation("the two survivors acknowledged only " + (acknowledgedAfter - acknowledgedBefore)
                + " calls in the 8 s after the kill");
        }
        final List<Integer> survivors = cluster.running();
        audit("survivors after kill -9", plan, true, false, survivors.stream().mapToInt(Integer::intValue).toArray());
        logEvidence("Members {size:", "recovery", "compensat");
        finish();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 4. Full-cluster crash: kill -9 all three, restart all three on the same data dirs
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRestoreTheAcknowledgedStateAfterAFullClusterCrash() throws Exception
    {
        // Hot keys with little stock: they are close to sold out when the cluster dies, so that any unit the restart
        // hands back by mistake is sold again afterwards, and shows as an oversell.
        final StockPlan plan = StockPlan.flashSale(4, 150, 100, 30);
        cluster(3).start(0, 1, 2);
        cluster.awaitMembers(3, SETTLE_TIMEOUT);
        final FlashSaleDriver before = driver(plan, FlashSaleDriver.Workload.flashSale(seed),
            cluster.runningHttpPorts());
        before.setStock();
        before.start();
        sleepSeconds(12);
        timeline.faultBegins("SIGKILL to all three under load, then restart all three");
        final long killedMs = timeline.nowMs();
        cluster.killAll();
        before.stopNow();
        cluster.start(0, 1, 2);
        cluster.awaitMembers(3, SETTLE_TIMEOUT);
        report.put("outageMs (SIGKILL to every node ready again)", timeline.nowMs() - killedMs);
        timeline.faultEnds();
        final Map<String, Object> replay = new TreeMap<>();
        for (int slot = 0; slot < 3; slot++)
        {
            final List<String> lines = cluster.grep(slot, "journal replay done");
            replay.put("node " + slot, lines.isEmpty() ? "none" : lines.get(lines.size() - 1));
            report.put("recovery lines of node " + slot, cluster.grep(slot, "recovery:").size());
        }
        report.put("journalReplay", replay);
        audit("after full restart", plan, true, false, 0, 1, 2);

        // The restarted cluster sells on, and the reservations held before the crash are committed.
        final FlashSaleDriver after = driver(plan, FlashSaleDriver.Workload.flashSale(seed + 1),
            cluster.runningHttpPorts());
        after.start();
        sleepSeconds(6);
        after.stop();
        after.settleAll(before.ledger(), "commit");
        audit("after a sale on the restarted cluster", plan, true, false, 0, 1, 2);
        logEvidence("journal replay", "restore");
        finish();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 6. SIGSTOP one of three for 8 s, SIGCONT; then kill it and read everything from the other two
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAcknowledgeNothingWithoutItsBackupWhileAMemberIsFrozen() throws Exception
    {
        final StockPlan plan = flashSalePlan();
        cluster(3).start(0, 1, 2);
        cluster.awaitMembers(3, SETTLE_TIMEOUT);
        driver(plan, FlashSaleDriver.Workload.flashSale(seed), cluster.runningHttpPorts()).setStock();
        driver.start();
        sleepSeconds(6);
        timeline.faultBegins("node 2 SIGSTOP for 8 s");
        cluster.pause(2);
        sleepSeconds(8);
        cluster.resume(2);
        timeline.faultEnds();
        sleepSeconds(6);
        driver.stop();
        report.put("memberCountsLoggedByNode2", cluster.grep(2, "Members {size:").size());
        // What the frozen member owns or backs up must also be on the others: take it away for good and read.
        sleepSeconds(2);
        cluster.kill(2);
        cluster.awaitMembers(2, SETTLE_TIMEOUT);
        audit("the two others after the frozen node is killed", plan, true, false, 0, 1);
        logEvidence("Members {size:", "Indeterminate", "backup");
        finish();
    }

    // -----------------------------------------------------------------------------------------------------------------
    // 7. 10,000 holds with a 2 s TTL, kill -9 one of three during the expiry sweep
    // -----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldExpireEveryHoldExactlyOnceWhenAMemberIsKilledDuringTheSweep() throws Exception
    {
        final int holds = 10_000;
        final StockPlan plan = StockPlan.flashSale(0, 0, 25, 1_000);
        final FlashSaleDriver.Workload workload = new FlashSaleDriver.Workload(16, 2, 0, 1, 2, 0, 0, holds, 2_000,
            20_000, seed);
        cluster(3).start(0, 1, 2);
        cluster.awaitMembers(3, SETTLE_TIMEOUT);
        driver(plan, workload, cluster.runningHttpPorts()).setStock();
        driver.start();
        final long waitNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (driver.acknowledged() < holds / 2 && System.nanoTime() < waitNs)
        {
            Thread.sleep(50);
        }
        timeline.faultBegins("node 2 SIGKILL while holds expire");
        cluster.kill(2);
        cluster.awaitMembers(2, SETTLE_TIMEOUT);
        timeline.faultEnds();
        driver.awaitDone(120_000);
        final long lastHoldMs = timeline.nowMs();

        // Every hold must come back: wait (bounded) until no key holds anything on either survivor.
        final int[] survivors = ports(cluster, 0, 1);
        final long convergeDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long reserved = -1;
        while (System.nanoTime() < convergeDeadlineNs)
        {
            reserved = totalReserved(plan, survivors);
            if (reserved == 0)
            {
                break;
            }
            Thread.sleep(500);
        }
        final long convergedMs = timeline.nowMs();
        timeline.event("reserved over all keys after the sweep: " + reserved);
        report.put("holdsRequested", holds);
        report.put("reservedAfterSweep", reserved);
        report.put("msFromLastHoldToZeroReserved", reserved == 0 ? convergedMs - lastHoldMs : -1);
        report.put("expiredCounters", expiredCounters(survivors));
        if (reserved != 0)
        {
            report.violation("60 s after the last hold (TTL 2 s) the keys still hold " + reserved + " units");
        }

        final OutsideAuditor.Result result = audit("after the sweep", plan, false, true, 0, 1);
        @SuppressWarnings("unchecked")
        final Map<String, Integer> statuses = (Map<String, Integer>)result.figures().get("statusesRead");
        report.put("statuses", statuses);
        final List<String> notExpired = new ArrayList<>();
        for (final Tracked t : driver.ledger())
        {
            if (t.reserve == Tracked.Call.ACKED && !"HELD".equals(t.reserveStatus))
            {
                report.violation("reservation " + t.describe() + " was not held (" + t.reserveAnswer + ")");
            }
        }
        // Every acknowledged hold is now EXPIRED (the audit allowed HELD as well; 60 s after a 2 s TTL it is not).
        final Map<String, String> now = new TreeMap<>();
        for (final Tracked t : driver.ledger())
        {
            if (t.reserve == Tracked.Call.ACKED)
            {
                final NodeHttp.Attempt a = http.get(survivors[Math.floorMod(t.id().hashCode(), 2)],
                    "/v1/reservations/" + t.id());
                if (a.status() != 200 || !"EXPIRED".equals(a.text("status")))
                {
                    notExpired.add(t.id() + ": " + a);
                }
            }
        }
        report.put("acknowledgedHoldsNotExpired", notExpired.subList(0, Math.min(20, notExpired.size())));
        if (!notExpired.isEmpty())
        {
            report.violation(notExpired.size() + " acknowledged holds do not read EXPIRED, e.g. " + notExpired.get(0));
        }
        // A commit after expiry is refused and takes nothing.
        int refused = 0;
        for (final Tracked t : driver.ledger().subList(0, Math.min(100, driver.ledger().size())))
        {
            if (t.reserve != Tracked.Call.ACKED)
            {
                continue;
            }
            final NodeHttp.Attempt a = http.post(survivors[0], "/v1/reservations/" + t.id() + "/commit", "");
            if (a.status() == 409 && "EXPIRED".equals(a.text("status")))
            {
                refused++;
            }
            else
            {
                report.violation("commit of expired " + t.id() + " answered " + a);
            }
        }
        report.put("lateCommitsRefused", refused);
        final long after = totalOnHand(plan, survivors);
        if (after != plan.totalStock())
        {
            report.violation("onHand over all keys is " + after + " after late commits; stock was "
                + plan.totalStock());
        }
        logEvidence("sweep", "Members {size:");
        finish();
    }

    private long totalReserved(final StockPlan plan, final int[] ports)
    {
        long total = 0;
        for (final StockPlan.Key key : plan.keys())
        {
            for (final int port : ports)
            {
                final NodeHttp.Attempt a = http.get(port, "/v1/availability/" + key.path());
                if (a.status() != 200)
                {
                    return -1;
                }
                total += a.number("reserved");
            }
        }
        return total;
    }

    private long totalOnHand(final StockPlan plan, final int[] ports)
    {
        long total = 0;
        for (final StockPlan.Key key : plan.keys())
        {
            total += http.get(ports[0], "/v1/availability/" + key.path()).number("onHand");
        }
        return total;
    }

    /** stockgrid_holds_expired_total of each node (what its own sweeps expired). */
    private Map<Integer, String> expiredCounters(final int[] ports)
    {
        final Map<Integer, String> counters = new TreeMap<>();
        for (final int port : ports)
        {
            final NodeHttp.Attempt a = http.get(port, "/metrics");
            String value = "?";
            if (a.body() != null)
            {
                for (final String line : a.body().split("\n"))
                {
                    if (line.startsWith("stockgrid_holds_expired_total"))
                    {
                        value = line;
                    }
                }
            }
            counters.put(port, value);
        }
        return counters;
    }
}
