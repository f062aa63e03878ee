package io.stockgrid.node.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A flash sale against a cluster over HTTP keep-alive: closed-loop client threads, each making reservations (hot
 * keys and a long tail, one or more lines), then committing, releasing or keeping each hold. Every call goes to the
 * next node round-robin; a call that times out, fails to connect, or is answered 5xx or 409 REQUEST_IN_PROGRESS is
 * made again, with the same reservationId and body, on the next node, until a definitive answer or its time budget
 * runs out (then it is in doubt). Every call is recorded in a {@link Tracked}; so is every failed attempt, with the
 * time it happened, for the report.
 * <p>
 * Alongside, a monitor reads a few keys' availability every few hundred milliseconds and checks, while the faults
 * happen, that held plus committed never exceeds the stock that was set.
 */
public final class FlashSaleDriver implements AutoCloseable
{
    /**
     * @param threads           client threads, each with one call outstanding.
     * @param ttlSeconds        hold time of every reservation.
     * @param hotShare          chance that a reservation's first line is on a hot key.
     * @param maxLines          lines per reservation, 1..maxLines, each on its own key.
     * @param maxQuantity       units per line, 1..maxQuantity.
     * @param commitShare       chance that a held reservation is committed ...
     * @param releaseShare      ... or released (else it is kept held).
     * @param reservationsMax   stop after this many reservations in all (0: until stopped).
     * @param attemptTimeoutMs  how long one attempt may take.
     * @param callBudgetMs      how long one call may keep retrying before it is in doubt.
     */
    public record Workload(int threads, int ttlSeconds, double hotShare, int maxLines, long maxQuantity,
        double commitShare, double releaseShare, int reservationsMax, long attemptTimeoutMs, long callBudgetMs,
        long seed)
    {
        public static Workload flashSale(final long seed)
        {
            return new Workload(16, 3600, 0.5, 2, 3, 0.45, 0.3, 0, 2_000, 15_000, seed);
        }
    }

    private static final long MONITOR_INTERVAL_MS = 300;
    private static final int MONITOR_TAIL_KEYS = 4;
    private static final int ANOMALIES_KEPT = 200;

    private final NodeHttp http;
    private final StockPlan plan;
    private final Workload workload;
    private final FaultTimeline timeline;
    private final String idPrefix;
    private volatile int[] targets;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicInteger issued = new AtomicInteger();
    private final ConcurrentLinkedQueue<Tracked> ledger = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<int[]> ackTimes = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile boolean abandoning;
    private Thread monitor;
    private volatile long loadStartMs = -1;
    private volatile long loadEndMs = -1;

    private final LongAdder calls = new LongAdder();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder acknowledged = new LongAdder();
    private final LongAdder inDoubt = new LongAdder();
    private final LongAdder retriedCalls = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorsDuringFault = new ConcurrentHashMap<>();
    private final AtomicLong longestCallMs = new AtomicLong();
    private final AtomicLong longestCallAtMs = new AtomicLong();
    private final ConcurrentLinkedQueue<String> anomalies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger anomalyCount = new AtomicInteger();
    private final LongAdder monitorSamples = new LongAdder();
    private final ConcurrentLinkedQueue<String> monitorViolations = new ConcurrentLinkedQueue<>();
    private final LongAdder onHandRegressions = new LongAdder();
    private final ConcurrentLinkedQueue<String> onHandRegressionSamples = new ConcurrentLinkedQueue<>();

    public FlashSaleDriver(final NodeHttp http, final StockPlan plan, final Workload workload,
        final FaultTimeline timeline, final String idPrefix, final int... targets)
    {
        this.http = http;
        this.plan = plan;
        this.workload = workload;
        this.timeline = timeline;
        this.idPrefix = idPrefix;
        this.targets = targets.clone();
    }

    /** The nodes calls go to, as a load balancer's backend list would change. */
    public void targets(final int... ports)
    {
        targets = ports.clone();
        timeline.event("driver targets now " + Arrays.toString(ports));
    }

    public int[] targets()
    {
        return targets.clone();
    }

    /** Sets every key's stock (PUT, absolute; retried until answered 200, since nothing else writes it yet). */
    public void setStock()
    {
        plan.keys().parallelStream().forEach(key ->
        {
            final NodeHttp.Attempt a = call("PUT", "/v1/stock/" + key.path(),
                "{\"onHand\":" + key.stock() + ",\"safetyStock\":0}", workload.callBudgetMs(), false);
            if (a == null || a.status() != 200 || a.number("onHand") != key.stock() || a.number("reserved") != 0)
            {
                throw new IllegalStateException("could not set the stock of " + key.path() + ": " + a);
            }
        });
        timeline.event("stock set on " + plan.size() + " keys (" + plan.totalStock() + " units)");
    }

    public void start()
    {
        loadStartMs = timeline.nowMs();
        for (int t = 0; t < workload.threads(); t++)
        {
            final int threadNo = t;
            final Thread thread = new Thread(() -> run(threadNo), "flash-sale-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        monitor = new Thread(this::monitor, "flash-sale-monitor");
        monitor.setDaemon(true);
        monitor.start();
        timeline.event("load started: " + workload.threads() + " threads");
    }

    /** No new reservations; calls under way finish, retries included. Waits for them. */
    public void stop() throws InterruptedException
    {
        stopping = true;
        timeline.event("load stopping (calls under way finish)");
        join();
    }

    /** No new reservations, and calls under way give up at once (they are in doubt). */
    public void stopNow() throws InterruptedException
    {
        abandoning = true;
        stopping = true;
        timeline.event("load abandoned (calls under way are in doubt)");
        join();
    }

    /** Waits until a fixed-count workload has issued and finished all its reservations. */
    public void awaitDone(final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        for (final Thread t : threads)
        {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        stop();
    }

    private void join() throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + workload.callBudgetMs() * 3 + 10_000;
        for (final Thread t : threads)
        {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
            if (t.isAlive())
            {
                throw new IllegalStateException(t.getName() + " did not finish");
            }
        }
        if (monitor != null)
        {
            monitor.join(5_000);
        }
        if (loadEndMs < 0)
        {
            loadEndMs = timeline.nowMs();
        }
        timeline.event("load stopped: " + calls.sum() + " calls, " + acknowledged.sum() + " acknowledged, "
            + inDoubt.sum() + " in doubt");
    }

    public long acknowledged()
    {
        return acknowledged.sum();
    }

    public List<Tracked> ledger()
    {
        return List.copyOf(ledger);
    }

    private void run(final int threadNo)
    {
        final SplittableRandom random = new SplittableRandom(workload.seed() * 1_000_003L + threadNo);
        int[] acks = new int[4096];
        int ackCount = 0;
        try
        {
            for (int n = 0; !stopping; n++)
            {
                if (workload.reservationsMax() > 0 && issued.incrementAndGet() > workload.reservationsMax())
                {
                    return;
                }
                final Tracked t = newReservation(idPrefix + "-" + threadNo + "-" + n, random);
                ledger.add(t);
                final long startNs = System.nanoTime();
                final NodeHttp.Attempt reserved = call("POST", "/v1/reservations", t.body, workload.callBudgetMs(),
                    true, t);
                if (reserved == null)
                {
                    t.reserve = Tracked.Call.IN_DOUBT;
                    inDoubt.increment();
                    continue;
                }
                acks = note(acks, ackCount++, startNs);
                t.reserveHttpStatus = reserved.status();
                t.reserveAnswer = reserved.body();
                if (reserved.status() == 201 && "HELD".equals(reserved.text("status")))
                {
                    t.reserveStatus = "HELD";
                }
                else if (reserved.status() == 409 && "REJECTED".equals(reserved.text("status")))
                {
                    t.reserveStatus = "REJECTED";
                }
                else
                {
                    t.reserveStatus = "ANSWER " + reserved.status();
                    anomaly("reserve " + t.id + " answered " + reserved);
                }
                t.reserve = Tracked.Call.ACKED;
                if (!"HELD".equals(t.reserveStatus) || stopping)
                {
                    continue;
                }
                final double roll = random.nextDouble();
                if (roll >= workload.commitShare() + workload.releaseShare())
                {
                    continue;
                }
                final String action = roll < workload.commitShare() ? "commit" : "release";
                t.settleAction = action;
                t.settle = Tracked.Call.IN_FLIGHT;
                final long settleNs = System.nanoTime();
                final NodeHttp.Attempt settled = call("POST", "/v1/reservations/" + t.id + "/" + action, "",
                    workload.callBudgetMs(), true, t);
                if (settled == null)
                {
                    t.settle = Tracked.Call.IN_DOUBT;
                    inDoubt.increment();
                    continue;
                }
                acks = note(acks, ackCount++, settleNs);
                final String target = "commit".equals(action) ? "COMMITTED" : "RELEASED";
                t.settleStatus = settled.status() == 200 || settled.status() == 409 ?
                    settled.text("status") : "ANSWER " + settled.status();
                t.settle = Tracked.Call.ACKED;
                if (settled.status() != 200 || !target.equals(t.settleStatus))
                {
                    anomaly(action + " of acknowledged HELD " + t.id + " answered " + settled);
                }
            }
        }
        finally
        {
            ackTimes.add(Arrays.copyOf(acks, ackCount));
        }
    }

    /**
     * Commits (or releases) every given reservation that was acknowledged HELD and never settled, one after another,
     * with the same retries as the load; records each outcome in its {@link Tracked}.
     */
    public void settleAll(final List<Tracked> reservations, final String action)
    {
        final String target = "commit".equals(action) ? "COMMITTED" : "RELEASED";
        int settled = 0;
        for (final Tracked t : reservations)
        {
            if (t.reserve != Tracked.Call.ACKED || !"HELD".equals(t.reserveStatus) || t.settle != Tracked.Call.NONE)
            {
                continue;
            }
            t.settleAction = action;
            t.settle = Tracked.Call.IN_FLIGHT;
            final NodeHttp.Attempt a = call("POST", "/v1/reservations/" + t.id + "/" + action, "",
                workload.callBudgetMs(), false, t);
            if (a == null)
            {
                t.settle = Tracked.Call.IN_DOUBT;
                inDoubt.increment();
                continue;
            }
            acknowledged.increment();
            t.settleStatus = a.status() == 200 || a.status() == 409 ? a.text("status") : "ANSWER " + a.status();
            t.settle = Tracked.Call.ACKED;
            if (a.status() != 200 || !target.equals(t.settleStatus))
            {
                anomaly(action + " of acknowledged HELD " + t.id + " answered " + a);
            }
            settled++;
        }
        timeline.event(action + " answered for " + settled + " reservations acknowledged HELD");
    }

    /** Records an acknowledgement's time (for the unavailability window) and the call's duration. */
    private int[] note(final int[] acks, final int index, final long callStartNs)
    {
        final long nowNs = System.nanoTime();
        final int[] grown = index < acks.length ? acks : Arrays.copyOf(acks, acks.length * 2);
        grown[index] = (int)timeline.toMs(nowNs);
        acknowledged.increment();
        final long callMs = (nowNs - callStartNs) / 1_000_000;
        if (callMs > longestCallMs.get())
        {
            synchronized (longestCallMs)
            {
                if (callMs > longestCallMs.get())
                {
                    longestCallMs.set(callMs);
                    longestCallAtMs.set(timeline.toMs(callStartNs));
                }
            }
        }
        return grown;
    }

    private Tracked newReservation(final String id, final SplittableRandom random)
    {
        final int lines = 1 + random.nextInt(workload.maxLines());
        final int[] keys = new int[lines];
        final long[] quantities = new long[lines];
        final StringBuilder body = new StringBuilder(160).append("{\"reservationId\":\"").append(id)
            .append("\",\"ttlSeconds\":").append(workload.ttlSeconds()).append(",\"lines\":[");
        final int tail = plan.size() - plan.hotCount();
        for (int l = 0; l < lines; l++)
        {
            int key;
            do
            {
                key = l == 0 && random.nextDouble() < workload.hotShare() ? random.nextInt(plan.hotCount()) :
                    plan.hotCount() + random.nextInt(tail);
            }
            while (contains(keys, l, key));
            keys[l] = key;
            quantities[l] = 1 + random.nextLong(workload.maxQuantity());
            final StockPlan.Key k = plan.key(key);
            body.append(l == 0 ? "" : ",").append("{\"sku\":\"").append(k.sku()).append("\",\"location\":\"")
                .append(k.location()).append("\",\"quantity\":").append(quantities[l]).append('}');
        }
        body.append("]}");
        return new Tracked(id, body.toString(), keys, quantities);
    }

    private static boolean contains(final int[] keys, final int count, final int key)
    {
        for (int i = 0; i < count; i++)
        {
            if (keys[i] == key)
            {
                return true;
            }
        }
        return false;
    }

    NodeHttp.Attempt call(final String method, final String path, final String body, final long budgetMs,
        final boolean abandonable)
    {
        return call(method, path, body, budgetMs, abandonable, null);
    }

    /**
     * One call: attempts on successive nodes until a definitive answer (any status below 500 except 409
     * REQUEST_IN_PROGRESS) or the budget runs out (null: in doubt).
     */
    NodeHttp.Attempt call(final String method, final String path, final String body, final long budgetMs,
        final boolean abandonable, final Tracked tracked)
    {
        calls.increment();
        final long deadlineNs = System.nanoTime() + budgetMs * 1_000_000;
        int start = roundRobin.getAndIncrement();
        for (int attempt = 0; ; attempt++)
        {
            final int[] ports = targets;
            final int port = ports[Math.floorMod(start + attempt, ports.length)];
            attempts.increment();
            final NodeHttp.Attempt a = switch (method)
            {
                case "POST" -> http.post(port, path, body);
                case "PUT" -> http.put(port, path, body);
                default -> http.get(port, path);
            };
            if (tracked != null)
            {
                tracked.attempts++;
                tracked.note(path.endsWith("/commit") ? "commit" : path.endsWith("/release") ? "release" : "reserve",
                    port, isDefinitive(a) ? Integer.toString(a.status()) : errorKind(a), timeline.nowMs());
            }
            if (isDefinitive(a))
            {
                if (attempt > 0)
                {
                    retriedCalls.increment();
                }
                if (a.status() >= 400 && a.status() != 409 && a.status() != 404)
                {
                    anomaly(method + " " + path + " answered " + a);
                }
                return a;
            }
            final String kind = errorKind(a);
            final long atMs = timeline.nowMs();
            errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
            if (timeline.inFault(atMs))
            {
                errorsDuringFault.computeIfAbsent(kind, k -> new LongAdder()).increment();
            }
            if (a.kind() == NodeHttp.Kind.ANSWERED && a.status() == 500)
            {
                anomaly(method + " " + path + " answered " + a);
            }
            if ((abandonable && abandoning) || System.nanoTime() >= deadlineNs)
            {
                return null;
            }
            sleep(Math.min(25L * (attempt + 1), 250));
        }
    }

    static boolean isDefinitive(final NodeHttp.Attempt a)
    {
        return a.kind() == NodeHttp.Kind.ANSWERED && a.status() < 500
            && !(a.status() == 409 && "REQUEST_IN_PROGRESS".equals(a.error()));
    }

    static String errorKind(final NodeHttp.Attempt a)
    {
        return switch (a.kind())
        {
            case TIMEOUT -> "timeout";
            case CONNECTION -> "connection";
            case ANSWERED -> a.status() + (a.error().isEmpty() ? "" : " " + a.error());
        };
    }

    private void anomaly(final String what)
    {
        if (anomalyCount.incrementAndGet() <= ANOMALIES_KEPT)
        {
            anomalies.add(timeline.nowMs() + " ms: " + what);
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
        }
    }

    /** Reads hot keys and a few tail keys over and over; held + committed must never exceed the stock set. */
    private void monitor()
    {
        final SplittableRandom random = new SplittableRandom(workload.seed() ^ 0x5DEECE66DL);
        final long[] lastOnHand = new long[plan.size()];
        Arrays.fill(lastOnHand, Long.MAX_VALUE);
        int next = 0;
        while (!stopping)
        {
            final List<Integer> sample = new ArrayList<>();
            for (int i = 0; i < plan.hotCount(); i++)
            {
                sample.add(i);
            }
            for (int i = 0; i < MONITOR_TAIL_KEYS; i++)
            {
                sample.add(plan.hotCount() + random.nextInt(plan.size() - plan.hotCount()));
            }
            for (final int index : sample)
            {
                final int[] ports = targets;
                final int port = ports[Math.floorMod(next++, ports.length)];
                final StockPlan.Key key = plan.key(index);
                final NodeHttp.Attempt a = http.get(port, "/v1/availability/" + key.path());
                if (a.kind() != NodeHttp.Kind.ANSWERED || a.status() != 200)
                {
                    continue;
                }
                monitorSamples.increment();
                final long onHand = a.number("onHand");
                final long reserved = a.number("reserved");
                final long committed = key.stock() - onHand;
                if (onHand < 0 || reserved < 0 || onHand > key.stock() || reserved + committed > key.stock())
                {
                    monitorViolations.add(timeline.nowMs() + " ms, node :" + port + ", " + key.path()
                        + ": onHand " + onHand + ", reserved " + reserved + " of stock " + key.stock()
                        + " (held + committed = " + (reserved + committed) + ")");
                }
                if (onHand > lastOnHand[index])
                {
                    // A commit that was visible is gone. Only an acknowledged one is a violation, and the audit
                    // checks those; this is reported as an observation.
                    onHandRegressions.increment();
                    if (onHandRegressionSamples.size() < 20)
                    {
                        onHandRegressionSamples.add(timeline.nowMs() + " ms, node :" + port + ", " + key.path()
                            + ": onHand " + lastOnHand[index] + " -> " + onHand);
                    }
                }
                lastOnHand[index] = onHand;
            }
            sleep(MONITOR_INTERVAL_MS);
        }
    }

    /** The driver's figures for the report. */
    public Map<String, Object> figures()
    {
        final Map<String, Object> f = new TreeMap<>();
        f.put("threads", workload.threads());
        f.put("reservations", ledger.size());
        f.put("calls", calls.sum());
        f.put("attempts", attempts.sum());
        f.put("acknowledged", acknowledged.sum());
        f.put("inDoubt", inDoubt.sum());
        f.put("retriedCalls", retriedCalls.sum());
        f.put("errors", sums(errors));
        f.put("errorsTotal", total(errors));
        f.put("errorsDuringFault", sums(errorsDuringFault));
        f.put("timeoutsDuringFault", errorsDuringFault.containsKey("timeout") ?
            errorsDuringFault.get("timeout").sum() : 0L);
        f.put("loadStartMs", loadStartMs);
        f.put("loadEndMs", loadEndMs);
        final long[] gap = longestGap();
        f.put("longestUnavailabilityMs", gap[0]);
        f.put("longestUnavailabilityFromMs", gap[1]);
        f.put("longestCallMs", longestCallMs.get());
        f.put("longestCallStartedAtMs", longestCallAtMs.get());
        f.put("anomalies", anomalyCount.get());
        f.put("anomalySamples", List.copyOf(anomalies));
        f.put("monitorSamples", monitorSamples.sum());
        f.put("monitorViolations", List.copyOf(monitorViolations));
        f.put("onHandRegressionsObserved", onHandRegressions.sum());
        f.put("onHandRegressionSamples", List.copyOf(onHandRegressionSamples));
        return f;
    }

    public List<String> anomalies()
    {
        return List.copyOf(anomalies);
    }

    public int anomalyCount()
    {
        return anomalyCount.get();
    }

    public List<String> monitorViolations()
    {
        return List.copyOf(monitorViolations);
    }

    /**
     * The longest time between two consecutive acknowledgements (of any thread) while the load ran: how long the
     * cluster, seen from the client, answered nothing at all. Returns {length, start}, in ms on the timeline.
     */
    private long[] longestGap()
    {
        int total = 0;
        synchronized (ackTimes)
        {
            for (final int[] a : ackTimes)
            {
                total += a.length;
            }
            final int[] all = new int[total];
            int at = 0;
            for (final int[] a : ackTimes)
            {
                System.arraycopy(a, 0, all, at, a.length);
                at += a.length;
            }
            Arrays.sort(all);
            long longest = 0;
            long from = -1;
            for (int i = 1; i < all.length; i++)
            {
                if (all[i] - all[i - 1] > longest)
                {
                    longest = all[i] - all[i - 1];
                    from = all[i - 1];
                }
            }
            return new long[] {longest, from};
        }
    }

    private static Map<String, Long> sums(final Map<String, LongAdder> counters)
    {
        final Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private static long total(final Map<String, LongAdder> counters)
    {
        long total = 0;
        for (final LongAdder v : counters.values())
        {
            total += v.sum();
        }
        return total;
    }

    @Override
    public void close()
    {
        abandoning = true;
        stopping = true;
        for (final Thread t : threads)
        {
            t.interrupt();
        }
        if (monitor != null)
        {
            monitor.interrupt();
        }
    }
}
