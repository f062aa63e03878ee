package io.stockgrid.node;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real node process, a burst of reservations, commits and releases from many threads, SIGKILL in the middle of
 * it, a restart on the same data dir, and an audit from outside: every acknowledged outcome is there, and no
 * (sku, location) has more units held plus committed than it had.
 */
@Tag("slow")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrashRecoveryIT
{
    private static final int KEYS = 8;
    private static final long ON_HAND = 150;
    private static final int THREADS = 16;

    @TempDir
    Path tmp;

    /** What the client was told about one reservation id, and what it asked for. */
    private static final class Tracked
    {
        final String body;
        final Map<String, Long> unitsByKey;
        volatile String firstAnswer;
        volatile int firstStatus;
        volatile String ackedStatus;
        volatile boolean settleInDoubt;

        Tracked(final String body, final Map<String, Long> unitsByKey)
        {
            this.body = body;
            this.unitsByKey = unitsByKey;
        }
    }

    @Test
    void shouldKeepEveryAcknowledgedOutcomeAndNeverOversellAcrossKill9() throws Exception
    {
        final Path dataDir = tmp.resolve("node");
        final int httpPort = NodeProcess.freePort();
        final int memberPort = 17_000 + (int)(ProcessHandle.current().pid() % 500) * 4;
        final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
        final AtomicLong acknowledged = new AtomicLong();

        try (NodeProcess node = NodeProcess.start(dataDir, httpPort, memberPort))
        {
            final HttpJson http = new HttpJson(httpPort);
            for (int k = 0; k < KEYS; k++)
            {
                assertThat(http.put("/v1/stock/S" + k + "/L1", "{\"onHand\":" + ON_HAND + "}").status())
                    .isEqualTo(200);
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int threadNo = t;
                final Thread thread = new Thread(() -> burst(http, threadNo, stop, tracked, acknowledged));
                thread.start();
                threads.add(thread);
            }
            // Let the burst build up, then kill the node while requests are in flight.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (acknowledged.get() < 1_500 && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            node.kill();
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(30_000);
            }
        }
        assertThat(acknowledged.get()).as("acknowledged calls before the kill").isGreaterThan(100);

        try (NodeProcess restarted = NodeProcess.start(dataDir, httpPort, memberPort))
        {
            final HttpJson http = new HttpJson(restarted.httpPort());
            final Map<String, Long> heldByKey = new HashMap<>();
            final Map<String, Long> committedByKey = new HashMap<>();
            for (final Map.Entry<String, Tracked> e : tracked.entrySet())
            {
                final Tracked t = e.getValue();
                final HttpJson.Answer got = http.get("/v1/reservations/" + e.getKey());
                final String status = got.status() == 404 ? "NONE" : got.text("status");
                if (t.ackedStatus != null && !t.settleInDoubt)
                {
                    assertThat(status).as("acknowledged status of " + e.getKey()).isEqualTo(t.ackedStatus);
                }
                else if (t.ackedStatus != null)
                {
                    assertThat(status).as("status of " + e.getKey() + " whose commit/release was in doubt")
                        .isIn("HELD", "COMMITTED", "RELEASED");
                }
                final Map<String, Long> sink = "HELD".equals(status) ? heldByKey :
                    "COMMITTED".equals(status) ? committedByKey : null;
                if (sink != null)
                {
                    t.unitsByKey.forEach((key, units) -> sink.merge(key, units, Long::sum));
                }
                if (t.firstAnswer != null)
                {
                    final HttpJson.Answer retry = http.post("/v1/reservations", t.body);
                    assertThat(retry.status()).as("retry of " + e.getKey()).isEqualTo(t.firstStatus);
                    assertThat(retry.body()).as("retry of " + e.getKey()).isEqualTo(t.firstAnswer);
                }
            }
            final String replay = java.nio.file.Files.readAllLines(restarted.log()).stream()
                .filter(line -> line.contains("journal replay done")).findFirst().orElse("no replay line");
            System.out.printf("crash audit: %d ids sent, %d calls acknowledged before SIGKILL; held %s, committed %s;"
                + " %s%n", tracked.size(), acknowledged.get(), heldByKey, committedByKey, replay);
            assertThat(replay).contains("0 version gaps").contains("0 violations");
            for (int k = 0; k < KEYS; k++)
            {
                final String key = "S" + k;
                final HttpJson.Answer a = http.get("/v1/availability/" + key + "/L1");
                final long held = heldByKey.getOrDefault(key, 0L);
                final long committed = committedByKey.getOrDefault(key, 0L);
                assertThat(a.number("reserved")).as("reserved of " + key).isEqualTo(held);
                assertThat(a.number("onHand")).as("onHand of " + key).isEqualTo(ON_HAND - committed);
                assertThat(held + committed).as("held + committed of " + key).isLessThanOrEqualTo(ON_HAND);
                assertThat(a.number("available")).isEqualTo(ON_HAND - committed - held);
            }
        }
    }

    private static void burst(final HttpJson http, final int threadNo, final AtomicBoolean stop,
        final Map<String, Tracked> tracked, final AtomicLong acknowledged)
    {
        final SplittableRandom random = new SplittableRandom(threadNo);
        for (int n = 0; !stop.get() && n < 100_000; n++)
        {
            final String id = "t" + threadNo + "-" + n;
            final int first = random.nextInt(KEYS);
            final int lineCount = 1 + random.nextInt(2);
            final Map<String, Long> units = new HashMap<>();
            final StringBuilder body = new StringBuilder("{\"reservationId\":\"" + id + "\",\"ttlSeconds\":3600,"
                + "\"lines\":[");
            for (int l = 0; l < lineCount; l++)
            {
                final String sku = "S" + (first + l) % KEYS;
                final long quantity = 1 + random.nextInt(3);
                units.put(sku, quantity);
                body.append(l == 0 ? "" : ",").append("{\"sku\":\"").append(sku)
                    .append("\",\"location\":\"L1\",\"quantity\":").append(quantity).append('}');
            }
            body.append("]}");
            final Tracked t = new Tracked(body.toString(), units);
            tracked.put(id, t);
            final HttpJson.Answer answer;
            try
            {
                answer = http.post("/v1/reservations", t.body);
            }
            catch (final RuntimeException nodeGone)
            {
                return;
            }
            if (answer.status() != 201 && answer.status() != 409)
            {
                continue;
            }
            t.firstStatus = answer.status();
            t.firstAnswer = answer.body();
            t.ackedStatus = answer.text("status");
            acknowledged.incrementAndGet();
            if (answer.status() == 201)
            {
                final int roll = random.nextInt(10);
                if (roll < 5)
                {
                    final String action = roll < 3 ? "commit" : "release";
                    t.settleInDoubt = true;
                    try
                    {
                        final HttpJson.Answer settled = http.post("/v1/reservations/" + id + "/" + action, "");
                        if (settled.status() == 200)
                        {
                            t.ackedStatus = settled.text("status");
                            t.settleInDoubt = false;
                            acknowledged.incrementAndGet();
                        }
                    }
                    catch (final RuntimeException nodeGone)
                    {
                        return;
                    }
                }
            }
        }
    }
}
