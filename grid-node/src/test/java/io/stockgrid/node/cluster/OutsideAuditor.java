package io.stockgrid.node.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Checks a cluster after the load, from outside and over HTTP only, against what the client was told:
 * <ol>
 * <li>every reservation reads (GET /v1/reservations/{id}) with a status its acknowledged calls allow: exactly the
 * acknowledged one when the last call on it was acknowledged;</li>
 * <li>optionally, every call still in doubt is made again with the same id, as a client would, until it is
 * answered (one still answered REQUEST_IN_PROGRESS long after the faults is a violation);</li>
 * <li>every node answers the same availability for every key;</li>
 * <li>per key, from the reservations' statuses alone: reserved equals the units of the HELD ones, onHand equals the
 * stock set minus the units of the COMMITTED ones (so a reservation applied twice, a hold nobody owns, or a lost
 * commit shows), and held + committed never exceeds the stock set; and, from acknowledgements alone, the units
 * acknowledged as committed or still held never exceed it either;</li>
 * <li>a sample of acknowledged reservations, sent again, answers exactly as the first time.</li>
 * </ol>
 * Every failed check becomes a line in {@link Result#violations()}; nothing stops at the first.
 */
public final class OutsideAuditor
{
    private static final int READERS = 8;
    private static final long READ_BUDGET_MS = 20_000;
    private static final long RESOLVE_BUDGET_MS = 10_000;
    private static final int REPLAY_SAMPLE = 300;
    private static final int VIOLATION_LINES_MAX = 400;

    private final List<Tracked> ledger;
    private final StockPlan plan;
    private final NodeHttp http;
    private final int[] ports;
    private final boolean expiryPossible;

    /**
     * @param ledger         every reservation any driver made on these keys.
     * @param ports          the nodes to read from (all must be up).
     * @param expiryPossible whether a hold may have expired since it was acknowledged.
     */
    public OutsideAuditor(final List<Tracked> ledger, final StockPlan plan, final NodeHttp http, final int[] ports,
        final boolean expiryPossible)
    {
        this.ledger = List.copyOf(ledger);
        this.plan = plan;
        this.http = http;
        this.ports = ports.clone();
        this.expiryPossible = expiryPossible;
    }

    /** One key's figures. */
    public record KeyFigures(String key, long stock, long onHand, long reserved, long available, long heldObserved,
        long committedObserved, long heldAcknowledged, long committedAcknowledged)
    {
    }

    /** @param statuses what each reservation read as, last (after any retries of calls in doubt). */
    public record Result(List<String> violations, int violationCount, Map<String, Object> figures,
        List<KeyFigures> keys, Map<String, String> statuses)
    {
    }

    private final List<String> violations = new ArrayList<>();
    private int violationCount;

    private synchronized void violation(final String what)
    {
        violationCount++;
        if (violations.size() < VIOLATION_LINES_MAX)
        {
            violations.add(what);
        }
    }

    public Result audit(final boolean resolveInDoubt) throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final Map<String, Object> figures = new TreeMap<>();

        // 1. Every reservation reads with a status its acknowledged calls allow.
        final Map<String, String> status = readStatuses(ledger);
        final Map<String, Integer> byStatus = new TreeMap<>();
        int acknowledgedChecked = 0;
        for (final Tracked t : ledger)
        {
            final String seen = status.get(t.id);
            byStatus.merge(seen, 1, Integer::sum);
            final String acked = t.acknowledgedStatus();
            if (acked != null)
            {
                acknowledgedChecked++;
            }
            if (!t.allowedStatuses(expiryPossible).contains(seen))
            {
                violation("reservation " + t.describe() + " reads " + seen + "; allowed: "
                    + t.allowedStatuses(expiryPossible));
            }
        }
        figures.put("reservationsRead", ledger.size());
        figures.put("statusesRead", byStatus);
        figures.put("acknowledgedOutcomesChecked", acknowledgedChecked);

        // 2. Calls in doubt are made again, as the client would, until answered.
        final List<Tracked> doubtful = ledger.stream().filter(Tracked::inDoubt).toList();
        figures.put("inDoubtAfterLoad", doubtful.size());
        final List<Tracked> stuck = new ArrayList<>();
        if (resolveInDoubt && !doubtful.isEmpty())
        {
            final Map<String, String> resolution = resolve(doubtful);
            final Map<String, Integer> outcomes = new TreeMap<>();
            for (final Tracked t : doubtful)
            {
                final String r = resolution.get(t.id);
                outcomes.merge(r.startsWith("STUCK") ? "STUCK" : r, 1, Integer::sum);
                if (r.startsWith("STUCK"))
                {
                    stuck.add(t);
                    violation("reservation " + t.describe() + " is still in doubt after retrying with the same id "
                        + "for " + RESOLVE_BUDGET_MS / 1000 + " s after the faults: " + r);
                }
            }
            figures.put("inDoubtResolution", outcomes);
            status.putAll(readStatuses(doubtful));
            for (final Tracked t : doubtful)
            {
                final String seen = status.get(t.id);
                if (!t.allowedStatuses(expiryPossible).contains(seen))
                {
                    violation("reservation " + t.describe() + " reads " + seen + " after its in-doubt call was "
                        + "retried; allowed: " + t.allowedStatuses(expiryPossible));
                }
            }
        }

        // 3. Every node answers the same availability for every key.
        final Map<Integer, long[]> availability = readAvailability();

        // 4. Per key: what the statuses imply against what the keys say.
        final long[] heldObserved = new long[plan.size()];
        final long[] committedObserved = new long[plan.size()];
        final long[] heldAcked = new long[plan.size()];
        final long[] committedAcked = new long[plan.size()];
        final long[] stuckUnits = new long[plan.size()];
        final Map<Integer, List<String>> stuckIds = new HashMap<>();
        for (final Tracked t : ledger)
        {
            final String seen = status.get(t.id);
            final String acked = t.acknowledgedStatus();
            for (int l = 0; l < t.keys.length; l++)
            {
                final int k = t.keys[l];
                if ("HELD".equals(seen))
                {
                    heldObserved[k] += t.quantities[l];
                }
                else if ("COMMITTED".equals(seen))
                {
                    committedObserved[k] += t.quantities[l];
                }
                if ("HELD".equals(acked))
                {
                    heldAcked[k] += t.quantities[l];
                }
                else if ("COMMITTED".equals(acked))
                {
                    committedAcked[k] += t.quantities[l];
                }
            }
        }
        for (final Tracked t : stuck)
        {
            for (int l = 0; l < t.keys.length; l++)
            {
                stuckUnits[t.keys[l]] += t.quantities[l];
                stuckIds.computeIfAbsent(t.keys[l], k -> new ArrayList<>()).add(t.id);
            }
        }
        final List<KeyFigures> keys = new ArrayList<>();
        long sumStock = 0;
        long sumOnHand = 0;
        long sumReserved = 0;
        long sumHeld = 0;
        long sumCommitted = 0;
        long sumHeldAcked = 0;
        long sumCommittedAcked = 0;
        int keysWrong = 0;
        for (final StockPlan.Key key : plan.keys())
        {
            final int k = key.index();
            final long[] a = availability.get(k);
            if (a == null)
            {
                continue; // unreadable: already a violation
            }
            final long onHand = a[0];
            final long reserved = a[1];
            final long available = a[2];
            final long s = key.stock();
            final int before = violationCount;
            if (reserved != heldObserved[k])
            {
                violation(key.path() + ": reserved is " + reserved + " but the reservations that read HELD hold "
                    + heldObserved[k] + (reserved > heldObserved[k] ?
                    " (" + (reserved - heldObserved[k]) + " units held by no visible reservation" +
                        (stuckUnits[k] > 0 ? "; in-doubt reservations stuck on this key hold up to " + stuckUnits[k]
                            + ": " + stuckIds.get(k) : "") + ")" : " (holds missing)"));
            }
            if (onHand != s - committedObserved[k])
            {
                violation(key.path() + ": onHand is " + onHand + " but stock " + s + " minus the "
                    + committedObserved[k] + " units of reservations that read COMMITTED is "
                    + (s - committedObserved[k]) + (onHand < s - committedObserved[k] ?
                    " (units taken twice or by no visible reservation)" : " (a commit is lost)"));
            }
            if (heldObserved[k] + committedObserved[k] > s || reserved + (s - onHand) > s)
            {
                violation(key.path() + ": OVERSOLD: held " + heldObserved[k] + " (reserved " + reserved
                    + ") + committed " + committedObserved[k] + " (stock - onHand " + (s - onHand)
                    + ") exceeds the stock " + s);
            }
            if (heldAcked[k] + committedAcked[k] > s)
            {
                violation(key.path() + ": OVERSOLD by acknowledgement: " + heldAcked[k] + " units acknowledged held "
                    + "and " + committedAcked[k] + " acknowledged committed exceed the stock " + s);
            }
            if (available != Math.max(0, onHand - reserved))
            {
                violation(key.path() + ": available " + available + " is not onHand " + onHand + " - reserved "
                    + reserved);
            }
            if (violationCount != before)
            {
                keysWrong++;
            }
            keys.add(new KeyFigures(key.path(), s, onHand, reserved, available, heldObserved[k],
                committedObserved[k], heldAcked[k], committedAcked[k]));
            sumStock += s;
            sumOnHand += onHand;
            sumReserved += reserved;
            sumHeld += heldObserved[k];
            sumCommitted += committedObserved[k];
            sumHeldAcked += heldAcked[k];
            sumCommittedAcked += committedAcked[k];
        }
        final Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("stock", sumStock);
        totals.put("onHand", sumOnHand);
        totals.put("reserved", sumReserved);
        totals.put("heldByReservationsReadHeld", sumHeld);
        totals.put("committedByReservationsReadCommitted", sumCommitted);
        totals.put("stockMinusOnHand", sumStock - sumOnHand);
        totals.put("heldAcknowledged", sumHeldAcked);
        totals.put("committedAcknowledged", sumCommittedAcked);
        figures.put("unitTotals", totals);
        figures.put("keysAudited", keys.size());
        figures.put("keysWithViolations", keysWrong);

        // 5. Acknowledged reservations sent again answer exactly as the first time.
        figures.put("replaysChecked", replaySample(ledger));

        figures.put("auditMs", (System.nanoTime() - startNs) / 1_000_000);
        figures.put("violations", violationCount);
        return new Result(List.copyOf(violations), violationCount, figures, keys, Map.copyOf(status));
    }

    /** GET every reservation, spread over the nodes; "NONE" for 404, "UNREADABLE" if no node answered. */
    private Map<String, String> readStatuses(final List<Tracked> ledger) throws InterruptedException
    {
        final Map<String, String> status = new ConcurrentHashMap<>();
        parallel(ledger, t ->
        {
            final NodeHttp.Attempt a = read("/v1/reservations/" + t.id, Math.floorMod(t.id.hashCode(), ports.length));
            final String s = a == null ? "UNREADABLE" : a.status() == 404 ? Tracked.NONE :
                a.status() == 200 ? a.text("status") : "ANSWER " + a.status();
            if (a == null || (a.status() != 200 && a.status() != 404))
            {
                synchronized (this)
                {
                    violation("GET reservation " + t.id + ": " + (a == null ? "no node answered" : a.toString()));
                }
            }
            status.put(t.id, s);
            return null;
        });
        return status;
    }

    /** Availability of every key from every node; they must agree. Returns key index -> {onHand, reserved, avail}. */
    private Map<Integer, long[]> readAvailability() throws InterruptedException
    {
        final Map<Integer, long[]> agreed = new ConcurrentHashMap<>();
        parallel(plan.keys(), key ->
        {
            long[] first = null;
            for (int n = 0; n < ports.length; n++)
            {
                final NodeHttp.Attempt a = read("/v1/availability/" + key.path(), n);
                if (a == null || a.status() != 200)
                {
                    synchronized (this)
                    {
                        violation("GET availability " + key.path() + " from :" + ports[n] + ": "
                            + (a == null ? "no answer" : a.toString()));
                    }
                    continue;
                }
                final long[] v = {a.number("onHand"), a.number("reserved"), a.number("available")};
                if (first == null)
                {
                    first = v;
                }
                else if (first[0] != v[0] || first[1] != v[1] || first[2] != v[2])
                {
                    synchronized (this)
                    {
                        violation(key.path() + ": nodes disagree: " + java.util.Arrays.toString(first) + " vs :"
                            + ports[n] + " " + java.util.Arrays.toString(v));
                    }
                }
            }
            if (first != null)
            {
                agreed.put(key.index(), first);
            }
            return null;
        });
        return agreed;
    }

    /** A read, retried on the other nodes within a budget: the first 200 or 404. */
    private NodeHttp.Attempt read(final String path, final int firstNode)
    {
        final long deadlineNs = System.nanoTime() + READ_BUDGET_MS * 1_000_000;
        NodeHttp.Attempt last = null;
        for (int attempt = 0; System.nanoTime() < deadlineNs; attempt++)
        {
            final NodeHttp.Attempt a = http.get(ports[Math.floorMod(firstNode + attempt, ports.length)], path);
            if (a.kind() == NodeHttp.Kind.ANSWERED && (a.status() == 200 || a.status() == 404))
            {
                return a;
            }
            last = a;
            pause(Math.min(50L * (attempt + 1), 500));
        }
        return last != null && last.kind() == NodeHttp.Kind.ANSWERED ? last : null;
    }

    /**
     * Makes every in-doubt call again with the same id and body until it is answered; returns per id what settled it
     * (the new answer's status), or "STUCK: last answer" when it stayed unanswered through the budget.
     */
    private Map<String, String> resolve(final List<Tracked> doubtful) throws InterruptedException
    {
        final Map<String, String> outcome = new ConcurrentHashMap<>();
        parallel(doubtful, t ->
        {
            final boolean reserve = t.reserve == Tracked.Call.IN_DOUBT;
            final String path = reserve ? "/v1/reservations" : "/v1/reservations/" + t.id + "/" + t.settleAction;
            final String body = reserve ? t.body : "";
            final long deadlineNs = System.nanoTime() + RESOLVE_BUDGET_MS * 1_000_000;
            NodeHttp.Attempt last = null;
            for (int attempt = 0; System.nanoTime() < deadlineNs; attempt++)
            {
                final NodeHttp.Attempt a = http.post(ports[Math.floorMod(t.id.hashCode() + attempt, ports.length)],
                    path, body);
                last = a;
                if (FlashSaleDriver.isDefinitive(a))
                {
                    if (reserve)
                    {
                        t.reserveHttpStatus = a.status();
                        t.reserveAnswer = a.body();
                        t.reserveStatus = a.status() == 201 ? "HELD" :
                            a.status() == 409 && "REJECTED".equals(a.text("status")) ? "REJECTED" :
                                "ANSWER " + a.status();
                        t.reserve = Tracked.Call.ACKED;
                    }
                    else
                    {
                        t.settleStatus = a.text("status");
                        t.settle = Tracked.Call.ACKED;
                    }
                    outcome.put(t.id, (reserve ? "reserve " : t.settleAction + " ") + a.status()
                        + (a.text("status").isEmpty() ? "" : " " + a.text("status")));
                    return null;
                }
                pause(Math.min(100L * (attempt + 1), 1_000));
            }
            outcome.put(t.id, "STUCK: " + last);
            return null;
        });
        return outcome;
    }

    /** Sends a sample of acknowledged reservations again: the answer must be the first one, byte for byte. */
    private int replaySample(final List<Tracked> ledger) throws InterruptedException
    {
        final List<Tracked> acked = new ArrayList<>(ledger.stream()
            .filter(t -> t.reserve == Tracked.Call.ACKED && t.reserveAnswer != null).toList());
        final SplittableRandom random = new SplittableRandom(acked.size());
        for (int i = acked.size() - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final Tracked swap = acked.get(i);
            acked.set(i, acked.get(j));
            acked.set(j, swap);
        }
        final List<Tracked> sample = acked.subList(0, Math.min(REPLAY_SAMPLE, acked.size()));
        parallel(sample, t ->
        {
            NodeHttp.Attempt a = null;
            for (int attempt = 0; attempt < 20; attempt++)
            {
                a = http.post(ports[Math.floorMod(t.id.hashCode() + attempt + 1, ports.length)],
                    "/v1/reservations", t.body);
                if (FlashSaleDriver.isDefinitive(a))
                {
                    break;
                }
                pause(200);
            }
            if (a == null || a.kind() != NodeHttp.Kind.ANSWERED || a.status() != t.reserveHttpStatus
                || !a.body().equals(t.reserveAnswer))
            {
                synchronized (this)
                {
                    violation("reservation " + t.id + " sent again answers " + a + "; first answer was "
                        + t.reserveHttpStatus + " " + t.reserveAnswer);
                }
            }
            return null;
        });
        return sample.size();
    }

    private static <T> void parallel(final List<T> items, final Function<T, Void> task) throws InterruptedException
    {
        final ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try
        {
            final List<Future<Void>> futures = new ArrayList<>(items.size());
            for (final T item : items)
            {
                futures.add(pool.submit(() -> task.apply(item)));
            }
            for (final Future<Void> f : futures)
            {
                try
                {
                    f.get();
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    throw new IllegalStateException(ex.getCause());
                }
            }
        }
        finally
        {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void pause(final long ms)
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
}
