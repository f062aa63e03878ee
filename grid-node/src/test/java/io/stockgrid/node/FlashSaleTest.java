package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockgrid.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flash sale over real HTTP: one SKU with 100 units, 64 client threads, 2,000 one-unit reservations with distinct
 * ids, each sent twice: for some ids both sends go out together from two threads, for the others the second is sent
 * when the first has been answered, behind the sends already queued. Exactly 100 ids are held, every second send is
 * answered byte for byte as the first, and the stock, the answers and each reservation's status agree.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlashSaleTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CLIENT_THREADS = 64;
    private static final int IDS = 2_000;
    private static final int ON_HAND = 100;
    /** A send answered REQUEST_IN_PROGRESS is resent until it settles, at most this many times. */
    private static final int IN_PROGRESS_RESENDS_MAX = 1_000;

    @TempDir
    Path dataDir;

    /**
     * What one send was answered once settled, how many REQUEST_IN_PROGRESS answers it took to get there, and when
     * it was first sent and finally answered.
     */
    record Settled(int status, byte[] body, int inProgressResends, long sentNs, long answeredNs)
    {
        String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean overlaps(final Settled other)
        {
            return sentNs < other.answeredNs && other.sentNs < answeredNs;
        }
    }

    @Test
    void shouldHoldExactlyTheStockAndAnswerEveryRetryAsItsFirst() throws Exception
    {
        final long seed = Long.getLong("stockgrid.seed", System.nanoTime());
        final String context = "seed " + seed + " (rerun with -Dstockgrid.seed=" + seed + ")";
        System.out.println("FlashSaleTest " + context);
        final Random random = new Random(seed);

        try (StockgridNode node = TestNode.start(dataDir))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            assertThat(http.put("/v1/stock/FLASH/WH-1", "{\"onHand\":" + ON_HAND + "}").status()).isEqualTo(200);
            final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
            final ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
            final AtomicReferenceArray<Settled> firsts = new AtomicReferenceArray<>(IDS);
            final AtomicReferenceArray<Settled> seconds = new AtomicReferenceArray<>(IDS);
            final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            final CountDownLatch answered = new CountDownLatch(2 * IDS);
            final AtomicInteger together = new AtomicInteger();
            try
            {
                final List<Integer> order = new ArrayList<>(IDS);
                for (int i = 0; i < IDS; i++)
                {
                    order.add(i);
                }
                Collections.shuffle(order, random);
                for (final int i : order)
                {
                    final Runnable first = () -> sendInto(client, http.base(), i, firsts, failures, answered);
                    final Runnable second = () -> sendInto(client, http.base(), i, seconds, failures, answered);
                    if (random.nextBoolean())
                    {
                        together.incrementAndGet();
                        pool.execute(first);
                        pool.execute(second);
                    }
                    else
                    {
                        pool.execute(() ->
                        {
                            first.run();
                            pool.execute(second);
                        });
                    }
                }
                assertThat(answered.await(45, TimeUnit.SECONDS)).as(context + ": every send answered").isTrue();
                assertThat(failures).as(context).isEmpty();
                assertThat(together.get()).as(context).isBetween(IDS / 4, IDS - IDS / 4);

                final List<String> held = new ArrayList<>(ON_HAND);
                int inProgressResends = 0;
                int overlapping = 0;
                for (int i = 0; i < IDS; i++)
                {
                    final Settled a = firsts.get(i);
                    final Settled b = seconds.get(i);
                    final String id = id(i);
                    assertThat(b.status()).as(context + ": " + id + " " + a.text() + " / " + b.text())
                        .isEqualTo(a.status());
                    assertThat(b.text()).as(context + ": " + id).isEqualTo(a.text());
                    assertThat(b.body()).as(context + ": " + id).isEqualTo(a.body());
                    assertFirstAnswer(id, a, context);
                    if (a.status() == 201)
                    {
                        held.add(id);
                    }
                    inProgressResends += a.inProgressResends() + b.inProgressResends();
                    overlapping += a.overlaps(b) ? 1 : 0;
                }
                System.out.println("FlashSaleTest: " + together.get() + " ids sent twice at once, " + overlapping
                    + " of them in flight together, " + inProgressResends + " REQUEST_IN_PROGRESS answers resent");
                assertThat(overlapping).as(context + ": ids whose two sends were in flight together").isPositive();
                assertThat(held).as(context + ": ids answered 201 HELD").hasSize(ON_HAND);

                final HttpJson.Answer availability = http.get("/v1/availability/FLASH/WH-1");
                assertThat(availability.number("onHand")).as(context).isEqualTo(ON_HAND);
                assertThat(availability.number("reserved")).as(context).isEqualTo(ON_HAND);
                assertThat(availability.number("available")).as(context).isZero();

                assertStatusesAgree(pool, http, held, context);
            }
            finally
            {
                pool.shutdownNow();
            }
        }
    }

    /** A 201 holds its one line; a 409 is a rejection for want of stock. */
    private static void assertFirstAnswer(final String id, final Settled answer, final String context)
        throws IOException
    {
        final JsonNode json = MAPPER.readTree(answer.body());
        assertThat(answer.status()).as(context + ": " + id + " " + answer.text()).isIn(201, 409);
        assertThat(json.path("reservationId").asText()).isEqualTo(id);
        if (answer.status() == 201)
        {
            assertThat(json.path("status").asText()).isEqualTo("HELD");
            assertThat(json.path("lines").size()).isEqualTo(1);
        }
        else
        {
            assertThat(json.path("status").asText()).isEqualTo("REJECTED");
            assertThat(json.path("error").asText()).isEqualTo(ErrorCode.INSUFFICIENT_STOCK.name());
            assertThat(json.path("lines").get(0).path("available").asLong()).isZero();
        }
    }

    /** GET /v1/reservations/{id} for every id, in parallel: HELD for the held ones, REJECTED for the rest. */
    private static void assertStatusesAgree(final ExecutorService pool, final HttpJson http, final List<String> held,
        final String context) throws Exception
    {
        final ConcurrentLinkedQueue<String> disagreements = new ConcurrentLinkedQueue<>();
        final CountDownLatch checked = new CountDownLatch(IDS);
        for (int i = 0; i < IDS; i++)
        {
            final String id = id(i);
            final String expected = held.contains(id) ? "HELD" : "REJECTED";
            pool.execute(() ->
            {
                try
                {
                    final HttpJson.Answer answer = http.get("/v1/reservations/" + id);
                    if (answer.status() != 200 || !expected.equals(answer.text("status")))
                    {
                        disagreements.add(id + " expected " + expected + ", got " + answer.status() + " "
                            + answer.body());
                    }
                }
                catch (final RuntimeException ex)
                {
                    disagreements.add(id + ": " + ex);
                }
                finally
                {
                    checked.countDown();
                }
            });
        }
        assertThat(checked.await(30, TimeUnit.SECONDS)).as(context + ": every id checked").isTrue();
        assertThat(disagreements).as(context).isEmpty();
    }

    /** Sends reservation {@code i} once, resending while it is answered REQUEST_IN_PROGRESS, and records the answer. */
    private static void sendInto(final HttpClient client, final String base, final int i,
        final AtomicReferenceArray<Settled> answers, final ConcurrentLinkedQueue<Throwable> failures,
        final CountDownLatch answered)
    {
        try
        {
            final HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/reservations"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reservationId\":\"" + id(i)
                    + "\",\"lines\":[{\"sku\":\"FLASH\",\"location\":\"WH-1\",\"quantity\":1}]}"))
                .build();
            final long sentNs = System.nanoTime();
            for (int resends = 0; resends <= IN_PROGRESS_RESENDS_MAX; resends++)
            {
                final HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                if (!isInProgress(response))
                {
                    answers.set(i, new Settled(response.statusCode(), response.body(), resends, sentNs,
                        System.nanoTime()));
                    return;
                }
                Thread.sleep(1);
            }
            throw new AssertionError(id(i) + " still REQUEST_IN_PROGRESS after " + IN_PROGRESS_RESENDS_MAX
                + " resends");
        }
        catch (final Throwable ex)
        {
            failures.add(ex);
        }
        finally
        {
            answered.countDown();
        }
    }

    private static boolean isInProgress(final HttpResponse<byte[]> response)
    {
        if (response.statusCode() != 409)
        {
            return false;
        }
        try
        {
            return ErrorCode.REQUEST_IN_PROGRESS.name().equals(MAPPER.readTree(response.body()).path("error")
                .asText());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String id(final int i)
    {
        return String.format("flash-%04d", i);
    }
}
