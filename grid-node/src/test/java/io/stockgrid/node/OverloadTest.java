package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockgrid.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node with a tiny in-flight bound under many concurrent clients: it sheds what does not fit with 503 OVERLOADED
 * and Retry-After (never another 5xx), a shed request changes nothing (not even after a restart from the journal),
 * the units held equal the 201 answers, and the node is healthy afterwards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OverloadTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int CLIENTS = 50;
    private static final int RESERVATIONS = 200;
    private static final int ON_HAND = 50;
    /** Per reservation; a client that never gets past 503 within this many attempts fails the test. */
    private static final int ATTEMPTS_MAX = 2_000;

    @TempDir
    Path dataDir;

    /** One answer a client got. */
    record Answer(String reservationId, int status, String error, String retryAfter)
    {
    }

    @Test
    void shouldShedExcessLoadWith503AndNeverOversell() throws Exception
    {
        final Map<String, Integer> settled = new ConcurrentHashMap<>();
        try (StockgridNode node = startNode("2", "1"))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            assertThat(http.put("/v1/stock/HOT/WH-1", "{\"onHand\":" + ON_HAND + "}").status()).isEqualTo(200);

            final List<Answer> answers = reserveConcurrently(http.base(), settled);

            assertThat(settled).as("every reservation got past 503 within %d attempts", ATTEMPTS_MAX)
                .hasSize(RESERVATIONS);
            assertThat(answers).extracting(Answer::status).containsOnly(201, 409, 503);
            final List<Answer> shed = answers.stream().filter(a -> a.status() == 503).toList();
            assertThat(shed).as("some requests did not fit in 2 in-flight and were shed").isNotEmpty();
            assertThat(shed).allSatisfy(a ->
            {
                assertThat(a.error()).isEqualTo(ErrorCode.OVERLOADED.name());
                assertThat(a.retryAfter()).as("Retry-After").isNotNull();
                assertThat(Integer.parseInt(a.retryAfter())).isPositive();
            });
            assertThat(answers.stream().filter(a -> a.status() == 409)).isNotEmpty()
                .allSatisfy(a -> assertThat(a.error()).isEqualTo(ErrorCode.INSUFFICIENT_STOCK.name()));

            final long held = settled.values().stream().filter(s -> s == 201).count();
            assertThat(held).as("all the stock and no more was held").isEqualTo(ON_HAND);
            final HttpJson.Answer availability = http.get("/v1/availability/HOT/WH-1");
            assertThat(availability.number("onHand")).isEqualTo(ON_HAND);
            assertThat(availability.number("reserved")).isEqualTo(held);
            assertThat(availability.number("available")).isZero();
            assertStatusesAgree(http, settled);

            assertThat(node.pipeline().inFlight()).as("in-flight count back to zero").isZero();
            assertThat(http.get("/health/ready").status()).isEqualTo(200);
            assertThat(http.put("/v1/stock/CALM/WH-1", "{\"onHand\":1}").status()).isEqualTo(200);
            assertThat(http.post("/v1/reservations", reserve("calm-1", "CALM")).status()).isEqualTo(201);
        }

        try (StockgridNode restarted = startNode("2", "1"))
        {
            assertThat(restarted.recovery().violations()).isEmpty();
            final HttpJson http = new HttpJson(restarted.httpPort());
            final HttpJson.Answer availability = http.get("/v1/availability/HOT/WH-1");
            assertThat(availability.number("onHand")).isEqualTo(ON_HAND);
            assertThat(availability.number("reserved")).as("after replay of the journal").isEqualTo(ON_HAND);
            assertStatusesAgree(http, settled);
        }
    }

    @Test
    void shouldBoundPipelinedRequestsOfOneConnection() throws Exception
    {
        // 100 requests in one write on one connection. The handler admits at most 32 pipelined requests per
        // connection, below this node's in-flight bound of 40, so none may be shed. Each asks for a sku's
        // availability over every location (a query of all partitions), slow enough that the requests would pile
        // up beyond 40 if all 100 were started at once.
        try (StockgridNode node = startNode("40", "1"))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            assertThat(http.put("/v1/stock/PIPE0/WH-1", "{\"onHand\":3}").status()).isEqualTo(200);
            assertThat(http.put("/v1/stock/PIPE1/WH-1", "{\"onHand\":4}").status()).isEqualTo(200);
            final List<byte[]> requests = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                requests.add(RawHttp.request("GET", "/v1/availability/PIPE" + (i % 2), null, null, false));
            }
            try (RawHttp raw = new RawHttp(node.httpPort()))
            {
                raw.write(RawHttp.concat(requests.toArray(new byte[0][])));
                for (int i = 0; i < 100; i++)
                {
                    final RawHttp.Response answer = raw.read();
                    assertThat(answer.status()).as("answer %d: %s", i, answer.text()).isEqualTo(200);
                    assertThat(answer.json().path("sku").asText()).isEqualTo("PIPE" + (i % 2));
                }
            }
            assertThat(node.pipeline().inFlight()).isZero();
        }
    }

    private StockgridNode startNode(final String maxInFlight, final String workerThreads) throws Exception
    {
        return StockgridNode.start(TestNode.config(dataDir)
            .set(Setting.MAX_IN_FLIGHT, maxInFlight)
            .set(Setting.WORKER_THREADS, workerThreads)
            .conclude());
    }

    /**
     * Each of {@link #RESERVATIONS} one-unit reservations is sent by one of {@link #CLIENTS} threads, all released at
     * once, and resent while it is answered 503. The back-off is a few milliseconds rather than the Retry-After
     * second, to keep the test short and the pressure on.
     */
    private static List<Answer> reserveConcurrently(final String base, final Map<String, Integer> settled)
        throws Exception
    {
        final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        final CountDownLatch start = new CountDownLatch(1);
        try
        {
            final List<Future<?>> sent = new ArrayList<>(RESERVATIONS);
            for (int i = 0; i < RESERVATIONS; i++)
            {
                final String id = "hot-" + i;
                sent.add(pool.submit(() ->
                {
                    start.await();
                    final HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/reservations"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(reserve(id, "HOT"))).build();
                    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++)
                    {
                        final HttpResponse<String> response = client.send(request,
                            HttpResponse.BodyHandlers.ofString());
                        final JsonNode body = MAPPER.readTree(response.body());
                        answers.add(new Answer(id, response.statusCode(), body.path("error").asText(null),
                            response.headers().firstValue("Retry-After").orElse(null)));
                        if (response.statusCode() != 503)
                        {
                            settled.put(id, response.statusCode());
                            return null;
                        }
                        Thread.sleep(1 + ThreadLocalRandom.current().nextInt(10));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> f : sent)
            {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        return List.copyOf(answers);
    }

    private static void assertStatusesAgree(final HttpJson http, final Map<String, Integer> settled)
    {
        for (final Map.Entry<String, Integer> e : settled.entrySet())
        {
            final HttpJson.Answer reservation = http.get("/v1/reservations/" + e.getKey());
            assertThat(reservation.status()).as(e.getKey() + ": " + reservation.body()).isEqualTo(200);
            assertThat(reservation.text("status")).as(e.getKey())
                .isEqualTo(e.getValue() == 201 ? "HELD" : "REJECTED");
        }
    }

    private static String reserve(final String id, final String sku)
    {
        return "{\"reservationId\":\"" + id + "\",\"lines\":[{\"sku\":\"" + sku
            + "\",\"location\":\"WH-1\",\"quantity\":1}]}";
    }
}
