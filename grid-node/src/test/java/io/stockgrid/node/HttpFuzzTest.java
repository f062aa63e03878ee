package io.stockgrid.node;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.SkuAvailability;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.auth.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the HTTP door of a real node (in this JVM, on loopback, with API keys) with Jazzer. Each input becomes one
 * request on a fresh connection (see {@link HttpFuzzInput}: a route of the real route table, a method, a key, headers,
 * a target form, a framing, and a body built from the input's bytes, malformed JSON, huge numbers, deep nesting and
 * odd Unicode included). For every input:
 * <ul>
 *   <li>no 5xx: the node has no reason to fail a lone request on an idle, ready node (no 503 is legitimate here:
 *       nothing is overloaded, the node is ready and alone, and its clock never moves, so no reservation expires
 *       and no rate bucket empties within a run);</li>
 *   <li>every 4xx carries a JSON error of the contract whose code travels with that status;</li>
 *   <li>a request refused at the door (400, 401, 403, 404 for a path, 405, 413, 415, 429) changes nothing: the
 *       journal's append count is the same (every change is journaled before it is applied) and so is the stock
 *       of every sku the request names;</li>
 *   <li>a request the grid refuses (409, 422, 404 for a reservation) is journaled with its outcome, as every decided
 *       command is, but the stock of every sku it names is unchanged;</li>
 *   <li>the node stays healthy: {@code /health/ready} answers 200 after every input and at the end.</li>
 * </ul>
 * In a normal {@code mvn test} Jazzer runs in regression mode: the empty input and every file under
 * {@code src/test/resources/io/stockgrid/node/HttpFuzzTestInputs/}, a few seconds in all. With {@code JAZZER_FUZZ=1}
 * it fuzzes for {@code maxDuration} (or {@code JAZZER_MAX_DURATION}); a failing input is written beside the seeds
 * and replays from then on. See README, "Fuzzing the HTTP door".
 * <p>
 * No admin key is handed out: {@code POST /admin/drain} would stop the node mid-run, so the admin routes are fuzzed
 * only for their 401 and 403. There is no class-level timeout, because in fuzzing mode the whole run is one JUnit
 * invocation; each input is bounded by the socket's 10 s read timeout and the audit's 10 s waits.
 */
class HttpFuzzTest
{
    /** A frozen clock: nothing expires and no bucket refills while a run compares stock before and after. */
    private static final long FROZEN_MS = 1_800_000_000_000L;
    private static final long AUDIT_TIMEOUT_SECONDS = 10;
    /** Fixed test-only secrets, so that a saved input replays the same request; the keys file holds their hashes. */
    private static final String ALL_SCOPES_SECRET = "fuzz-only-secret-with-stock-reservations-and-read";
    private static final String READ_SECRET = "fuzz-only-secret-with-read";
    private static final Set<ErrorCode> REFUSED_AT_THE_DOOR = EnumSet.of(ErrorCode.INVALID_REQUEST,
        ErrorCode.NOT_FOUND, ErrorCode.METHOD_NOT_ALLOWED, ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED);

    @TempDir
    static Path dir;

    private static StockgridNode node;
    private static int inputs;

    @BeforeAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void startNodeAndSeed() throws Exception
    {
        final Path keys = dir.resolve("keys.json");
        Files.writeString(keys, "{\"keys\":["
            + KeyFile.entryJson("fz-all", ALL_SCOPES_SECRET,
                EnumSet.of(Scope.STOCK_WRITE, Scope.RESERVATIONS_WRITE, Scope.READ), KeyFile.RATE_PER_SECOND_MAX,
                KeyFile.BURST_MAX) + ","
            + KeyFile.entryJson("fz-read", READ_SECRET, EnumSet.of(Scope.READ), KeyFile.RATE_PER_SECOND_MAX,
                KeyFile.BURST_MAX) + "]}");
        node = StockgridNode.start(TestNode.config(dir.resolve("data")).set(Setting.AUTH_KEYS, keys.toString())
            .conclude(), () -> FROZEN_MS);
        final HttpJson http = new HttpJson(node.httpPort(), ALL_SCOPES_SECRET);
        assertThat(http.put("/v1/stock/FZ-A/WH-1", "{\"onHand\":100,\"safetyStock\":5}").status()).isEqualTo(200);
        assertThat(http.put("/v1/stock/FZ-A/WH-2", "{\"onHand\":7}").status()).isEqualTo(200);
        assertThat(http.put("/v1/stock/FZ-B/WH-1", "{\"onHand\":40}").status()).isEqualTo(200);
        assertThat(http.post("/v1/reservations", "{\"reservationId\":\"" + HttpFuzzInput.DEFAULT_RESERVATION_ID
            + "\",\"ttlSeconds\":86400,\"lines\":[{\"sku\":\"FZ-B\",\"location\":\"WH-1\",\"quantity\":2}]}")
            .status()).isEqualTo(201);
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    static void shouldStillBeReadyAtTheEnd() throws Exception
    {
        try
        {
            if (node != null)
            {
                assertThat(inputs).as("inputs run").isPositive();
                assertReady("after " + inputs + " inputs");
            }
        }
        finally
        {
            if (node != null)
            {
                node.close();
            }
        }
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"$ID", "$DEEP", "$BIG", "$UNI", "\"reservationId\":", "\"lines\":", "\"sku\":",
        "\"location\":", "\"quantity\":", "\"onHand\":", "\"safetyStock\":", "\"delta\":", "\"eventId\":",
        "\"reason\":", "\"returnId\":", "\"disposition\":", "\"RESTOCK\"", "\"DAMAGED\"", "\"ttlSeconds\":",
        "\"correlationId\":", "FZ-A", "FZ-B", "WH-1", "fz-held", "%zz", "%2F", "1e400", "-0", "9223372036854775808",
        "1000000000", "null", "true", "\\u0000"})
    void shouldAnswerBelow500AndChangeNothingWhenRefusing(final byte[] input) throws Exception
    {
        // Jazzer reports any connection as a possible SSRF once fuzzing starts; this test's connections are its own.
        BugDetectors.allowNetworkConnections(HttpFuzzTest::isLoopback);
        inputs++;
        final HttpFuzzInput request = HttpFuzzInput.decode(input);
        final int port = node.httpPort();
        final Set<String> skus = request.skus();
        final Map<String, SkuAvailability> stockBefore = stock(skus);
        final long appendsBefore = node.journal().appends();

        final RawHttp.Response answer = exchange(request.toWire(port, ALL_SCOPES_SECRET, READ_SECRET),
            request.bodyless());

        final String what = request.describe(port) + " -> " + answer.status() + " " + cut(answer.text());
        assertThat(answer.status()).as("a 5xx: " + what).isBetween(200, 499);
        if (answer.status() >= 400)
        {
            final ErrorCode code = request.bodyless() ? null : errorCode(answer, what);
            final boolean refusedAtTheDoor = code == null ?
                answer.status() != 409 && answer.status() != 422 : REFUSED_AT_THE_DOOR.contains(code);
            if (refusedAtTheDoor)
            {
                assertThat(node.journal().appends()).as("journaled although refused at the door: " + what)
                    .isEqualTo(appendsBefore);
            }
            assertThat(stock(skus)).as("stock changed by a refused request: " + what).isEqualTo(stockBefore);
        }
        assertReady(what);
    }

    /** The error code of a 4xx answer's JSON body, checked against the status it came with. */
    private static ErrorCode errorCode(final RawHttp.Response answer, final String what)
    {
        final JsonNode json = answer.json();
        assertThat(json.path("message").isTextual()).as("a 4xx without a message: " + what).isTrue();
        final String name = json.path("error").asText();
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::name)).as("error code of a 4xx: " + what)
            .contains(name);
        final ErrorCode code = ErrorCode.valueOf(name);
        assertThat(code.httpStatus()).as("status of " + code + ": " + what).isEqualTo(answer.status());
        return code;
    }

    /** Stock of each sku, read in-process (no key, no rate budget, no HTTP), as the node holds it. */
    private static Map<String, SkuAvailability> stock(final Set<String> skus) throws Exception
    {
        final Map<String, SkuAvailability> stock = new LinkedHashMap<>();
        for (final String sku : skus)
        {
            stock.put(sku, node.pipeline().availability(sku).get(AUDIT_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
        return stock;
    }

    private static RawHttp.Response exchange(final byte[] request, final boolean bodyless) throws IOException
    {
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(request);
            return raw.read(bodyless);
        }
    }

    private static void assertReady(final String after) throws IOException
    {
        final RawHttp.Response ready = exchange(RawHttp.request("GET", "/health/ready", null, null, true), false);
        assertThat(ready.status()).as("/health/ready after " + after + ": " + ready.text()).isEqualTo(200);
    }

    private static boolean isLoopback(final String host, final int port)
    {
        return "localhost".equals(host) || host.startsWith("127.") || "::1".equals(host)
            || "0:0:0:0:0:0:0:1".equals(host);
    }

    private static String cut(final String text)
    {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
