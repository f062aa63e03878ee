package io.stockgrid.node;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.client.StockgridClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Correlation ids and the request log over real doors: the X-Correlation-Id header is echoed, a body's correlationId
 * wins over it, one is generated when there is none, a bad one is refused with nothing changed, and every mutating
 * request, through either door, gets exactly one log line naming its id, operation, key fields, status and latency.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CorrelationIdTest
{
    private static final String JSON = "application/json";
    private static final String HEADER = "X-Correlation-Id";

    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static HttpJson http;
    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startNode() throws Exception
    {
        node = TestNode.start(dataDir);
        node.pipeline().requestLog().tap(LINES::add);
        http = new HttpJson(node.httpPort());
        assertThat(http.put("/v1/stock/CI-SKU/CI-WH", "{\"onHand\":10}").status()).isEqualTo(200);
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @BeforeEach
    void clearLines()
    {
        LINES.clear();
    }

    @Test
    void shouldEchoTheHeaderAndLogIt()
    {
        final HttpJson.Answer answer = http.send(request("PUT", "/v1/stock/CI-SKU/CI-WH", "{\"onHand\":10}")
            .header(HEADER, "erp-sync-1"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.raw().headers().firstValue(HEADER)).hasValue("erp-sync-1");
        assertThat(LINES).singleElement().satisfies(line ->
        {
            assertThat(line).startsWith("door=http op=set_stock correlationId=erp-sync-1 keyId=- sku=CI-SKU location=CI-WH ");
            assertThat(line).contains(" status=200 error=- latencyUs=");
        });
    }

    @Test
    void shouldQuoteAnIdThatWouldBreakTheLineFormat()
    {
        final HttpJson.Answer answer = http.send(request("PUT", "/v1/stock/CI-SKU/CI-WH", "{\"onHand\":10}")
            .header(HEADER, "a\"b=c\\d"));

        assertThat(answer.raw().headers().firstValue(HEADER)).hasValue("a\"b=c\\d");
        assertThat(LINES).singleElement().asString().contains(" correlationId=\"a\\\"b=c\\\\d\" keyId=- sku=CI-SKU ");
    }

    @Test
    void shouldPreferTheBodyFieldOverTheHeader()
    {
        final HttpJson.Answer answer = http.send(request("POST", "/v1/stock/CI-SKU/CI-WH/adjustments",
            "{\"eventId\":\"ci-e1\",\"delta\":1,\"correlationId\":\"from-body\"}").header(HEADER, "from-header"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.raw().headers().firstValue(HEADER)).hasValue("from-body");
        assertThat(LINES).singleElement().asString()
            .startsWith("door=http op=adjust_stock correlationId=from-body keyId=- sku=CI-SKU location=CI-WH eventId=ci-e1 ");
    }

    @Test
    void shouldGenerateOneWhenAbsentAndLogTheSame()
    {
        final HttpJson.Answer held = http.post("/v1/reservations", "{\"reservationId\":\"ci-r1\",\"lines\":"
            + "[{\"sku\":\"CI-SKU\",\"location\":\"CI-WH\",\"quantity\":1}]}");
        final HttpJson.Answer committed = http.post("/v1/reservations/ci-r1/commit", "");

        final String heldId = held.raw().headers().firstValue(HEADER).orElseThrow();
        final String committedId = committed.raw().headers().firstValue(HEADER).orElseThrow();
        assertThat(heldId).startsWith("sg-").isNotEqualTo(committedId);
        assertThat(committedId).startsWith("sg-");
        assertThat(LINES).hasSize(2);
        assertThat(LINES.get(0)).startsWith("door=http op=reserve correlationId=" + heldId
            + " keyId=- reservationId=ci-r1 lines=1 status=201 error=- latencyUs=");
        assertThat(LINES.get(1)).startsWith("door=http op=commit correlationId=" + committedId
            + " keyId=- reservationId=ci-r1 status=200 error=- latencyUs=");
    }

    @Test
    void shouldLogARejectionWithItsErrorCode()
    {
        final HttpJson.Answer answer = http.send(request("POST", "/v1/reservations", "{\"reservationId\":\"ci-r2\","
            + "\"lines\":[{\"sku\":\"CI-SKU\",\"location\":\"CI-WH\",\"quantity\":1000}]}").header(HEADER, "co-9"));

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.raw().headers().firstValue(HEADER)).hasValue("co-9");
        assertThat(LINES).singleElement().asString().contains(" status=409 error=INSUFFICIENT_STOCK latencyUs=");
    }

    @ParameterizedTest(name = "header \"{0}\"")
    @ValueSource(strings = {"has space", "tab\there"})
    void shouldRefuseABadHeaderAndChangeNothing(final String bad)
    {
        final long onHandBefore = http.get("/v1/availability/CI-SKU/CI-WH").number("onHand");
        final String eventId = "ci-bad-" + Integer.toHexString(bad.hashCode());

        final HttpJson.Answer answer = http.send(request("POST", "/v1/stock/CI-SKU/CI-WH/adjustments",
            "{\"eventId\":\"" + eventId + "\",\"delta\":5}").header(HEADER, bad));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text("error")).isEqualTo(ErrorCode.INVALID_REQUEST.name());
        assertThat(answer.text("message")).contains(HEADER);
        final String generated = answer.raw().headers().firstValue(HEADER).orElseThrow();
        assertThat(generated).startsWith("sg-");
        assertThat(LINES).singleElement().asString().startsWith("door=http op=adjust_stock correlationId="
            + generated + " keyId=- status=400 error=INVALID_REQUEST ");
        assertThat(http.get("/v1/availability/CI-SKU/CI-WH").number("onHand")).isEqualTo(onHandBefore);
        // The refused eventId was not remembered: the same id with another delta is a new event, not a reuse.
        assertThat(http.post("/v1/stock/CI-SKU/CI-WH/adjustments", "{\"eventId\":\"" + eventId
            + "\",\"delta\":-1}").status()).isEqualTo(200);
        assertThat(http.post("/v1/stock/CI-SKU/CI-WH/adjustments", "{\"eventId\":\"" + eventId
            + "\",\"delta\":1}").status()).isEqualTo(422);
    }

    @Test
    void shouldRefuseAnOverlongHeaderOnCommitAndChangeNothing()
    {
        assertThat(http.post("/v1/reservations", "{\"reservationId\":\"ci-r3\",\"lines\":"
            + "[{\"sku\":\"CI-SKU\",\"location\":\"CI-WH\",\"quantity\":1}]}").status()).isEqualTo(201);

        final HttpJson.Answer answer = http.send(request("POST", "/v1/reservations/ci-r3/commit", null)
            .header(HEADER, "c".repeat(129)));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(http.get("/v1/reservations/ci-r3").text("status")).isEqualTo("HELD");
        assertThat(http.post("/v1/reservations/ci-r3/release", "").status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "body correlationId {0}")
    @ValueSource(strings = {"\"\"", "7", "\"has space\""})
    void shouldRefuseABadBodyFieldAndChangeNothing(final String bad)
    {
        final HttpJson.Answer answer = http.send(request("PUT", "/v1/stock/CI-SKU/CI-WH-2",
            "{\"onHand\":3,\"correlationId\":" + bad + "}").header(HEADER, "good-header"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.text("message")).contains("correlationId");
        assertThat(answer.raw().headers().firstValue(HEADER)).hasValue("good-header");
        assertThat(http.get("/v1/availability/CI-SKU/CI-WH-2").number("onHand")).isZero();
    }

    @Test
    void shouldEchoAValidHeaderOnReadsAndAddNoneWithout()
    {
        final HttpJson.Answer echoed = http.send(request("GET", "/v1/availability/CI-SKU/CI-WH", null)
            .header(HEADER, "read-1"));
        final HttpJson.Answer plain = http.get("/v1/availability/CI-SKU/CI-WH");

        assertThat(echoed.raw().headers().firstValue(HEADER)).hasValue("read-1");
        assertThat(plain.raw().headers().firstValue(HEADER)).isEqualTo(Optional.empty());
        assertThat(LINES).as("reads are not request-logged").isEmpty();
    }

    @Test
    void shouldLogBinaryRequestsWithTheGivenOrAGeneratedId()
    {
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build())
        {
            client.setStock("CI-BIN", "CI-WH", 4, 0);
            client.reserve("ci-b1", List.of(new ReservationLine("CI-BIN", "CI-WH", 1)), 60, "bin-corr-1");
            client.availability("CI-BIN", "CI-WH");
        }

        assertThat(LINES).hasSize(2);
        assertThat(LINES.get(0)).matches("door=binary op=set_stock correlationId=sg-[0-9a-f]{12}-[0-9a-f]+ "
            + "keyId=- sku=CI-BIN location=CI-WH status=200 error=- latencyUs=\\d+");
        assertThat(LINES.get(1)).matches("door=binary op=reserve correlationId=bin-corr-1 keyId=- reservationId=ci-b1 "
            + "lines=1 status=201 error=- latencyUs=\\d+");
    }

    private HttpRequest.Builder request(final String method, final String path, final String body)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(http.base() + path)).method(method,
            body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return body == null ? builder : builder.header("Content-Type", JSON);
    }
}
