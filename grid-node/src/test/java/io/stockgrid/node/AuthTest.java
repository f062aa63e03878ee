package io.stockgrid.node;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationIdEncoder;
import io.stockgrid.api.binary.ReserveEncoder;
import io.stockgrid.api.binary.SetStockEncoder;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.auth.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * API keys, scopes and rate limits on a real node with a keys file, through both doors: no key, an unknown key, a key
 * without the scope of each route class, a reload that revokes a key, a key over its rate budget (refused, then
 * served again once its bucket refills) while another key is served, and the caller kept as {@code createdBy}.
 * <p>
 * The node runs on a clock this test moves by hand, and the rate buckets count time by it, so "over budget" and
 * "refilled" are decided by the test, never by how fast the machine is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AuthTest
{
    private static final SecureRandom RANDOM = new SecureRandom();
    /** id -> secret; each test uses its own keys, so that their buckets and revocations do not meet. */
    private static final Map<String, String> SECRETS = new LinkedHashMap<>();
    private static final Map<String, String> ENTRIES = new LinkedHashMap<>();
    private static final AtomicLong NOW_MS = new AtomicLong(1_800_000_000_000L);

    @TempDir
    static Path dir;
    private static Path keysFile;
    private static StockgridNode node;
    private static HttpJson http;

    @BeforeAll
    static void startNode() throws Exception
    {
        key("erp", 1_000, 1_000, Scope.STOCK_WRITE, Scope.READ);
        key("shop", 1_000, 1_000, Scope.RESERVATIONS_WRITE, Scope.READ);
        key("ops", 1_000, 1_000, Scope.ADMIN);
        key("reader", 1_000, 1_000, Scope.READ);
        key("revoked-http", 1_000, 1_000, Scope.STOCK_WRITE, Scope.READ);
        key("revoked-bin", 1_000, 1_000, Scope.STOCK_WRITE, Scope.READ);
        key("slow-http", 1, 2, Scope.STOCK_WRITE, Scope.READ);
        key("slow-bin", 1, 2, Scope.STOCK_WRITE, Scope.READ);
        keysFile = dir.resolve("keys.json");
        writeKeys(SECRETS.keySet());
        node = StockgridNode.start(TestNode.config(dir.resolve("data"))
            .set(Setting.AUTH_KEYS, keysFile.toString()).conclude(), NOW_MS::get);
        http = new HttpJson(node.httpPort());
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    private static void key(final String id, final long rate, final long burst, final Scope... scopes)
    {
        final String secret = KeyFile.newSecret(RANDOM);
        SECRETS.put(id, secret);
        ENTRIES.put(id, KeyFile.entryJson(id, secret, EnumSet.copyOf(List.of(scopes)), rate, burst));
    }

    private static void writeKeys(final Iterable<String> ids) throws Exception
    {
        final List<String> entries = new ArrayList<>();
        ids.forEach(id -> entries.add(ENTRIES.get(id)));
        Files.writeString(keysFile, "{\"keys\":[" + String.join(",", entries) + "]}");
    }

    private static HttpJson.Answer call(final String method, final String path, final String body,
        final String keyId)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base() + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
        if (body != null)
        {
            request.header("Content-Type", "application/json");
        }
        if (keyId != null)
        {
            request.header("Authorization", "Bearer " + (SECRETS.containsKey(keyId) ? SECRETS.get(keyId) : keyId));
        }
        return http.send(request);
    }

    private static long onHand(final String sku)
    {
        return call("GET", "/v1/availability/" + sku + "/WH-1", null, "erp").number("onHand");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // HTTP
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseACallWithoutAKeyOrWithAnUnknownOneAndChangeNothing()
    {
        assertThat(call("PUT", "/v1/stock/AU-1/WH-1", "{\"onHand\":10}", "erp").status()).isEqualTo(200);
        final long appends = node.journal().appends();

        final HttpJson.Answer none = call("PUT", "/v1/stock/AU-1/WH-1", "{\"onHand\":99}", null);
        final HttpJson.Answer unknown = call("PUT", "/v1/stock/AU-1/WH-1", "{\"onHand\":99}", "not-a-known-secret");
        final HttpJson.Answer notBearer = http.send(HttpRequest.newBuilder(URI.create(http.base()
            + "/v1/availability/AU-1/WH-1")).header("Authorization", "Basic " + SECRETS.get("erp")).GET());

        for (final HttpJson.Answer answer : List.of(none, unknown, notBearer))
        {
            assertThat(answer.status()).isEqualTo(401);
            assertThat(answer.text("error")).isEqualTo(ErrorCode.UNAUTHENTICATED.name());
            assertThat(answer.raw().headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
        assertThat(node.journal().appends()).as("nothing journaled").isEqualTo(appends);
        assertThat(onHand("AU-1")).isEqualTo(10);
    }

    @Test
    void shouldKeepHealthOpenAndMetricsOpenByDefault()
    {
        assertThat(call("GET", "/health/live", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/health/ready", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/v1/openapi.yaml", null, null).status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseAKeyWithoutTheScopeOfEachRouteClassNamingTheScope()
    {
        assertThat(call("PUT", "/v1/stock/AU-2/WH-1", "{\"onHand\":10}", "erp").status()).isEqualTo(200);
        final long appends = node.journal().appends();
        final List<Map.Entry<String, HttpJson.Answer>> refused = new ArrayList<>();
        refused.add(Map.entry("stock:write", call("PUT", "/v1/stock/AU-2/WH-1", "{\"onHand\":99}", "reader")));
        refused.add(Map.entry("stock:write", call("POST", "/v1/returns", "{\"returnId\":\"au-ret-1\",\"sku\":\"AU-2\","
            + "\"location\":\"WH-1\",\"quantity\":1,\"disposition\":\"RESTOCK\"}", "shop")));
        refused.add(Map.entry("reservations:write", call("POST", "/v1/reservations", "{\"reservationId\":\"au-r-1\","
            + "\"lines\":[{\"sku\":\"AU-2\",\"location\":\"WH-1\",\"quantity\":1}]}", "erp")));
        refused.add(Map.entry("read", call("GET", "/v1/availability/AU-2/WH-1", null, "ops")));
        refused.add(Map.entry("admin", call("GET", "/admin/cluster", null, "erp")));
        final HttpJson.Answer drain = call("POST", "/admin/drain", null, "shop");

        refused.forEach(e ->
        {
            final String scope = e.getKey();
            final HttpJson.Answer answer = e.getValue();
            assertThat(answer.status()).as(scope).isEqualTo(403);
            assertThat(answer.text("error")).isEqualTo(ErrorCode.FORBIDDEN.name());
            assertThat(answer.text("message")).contains("'" + scope + "'");
        });
        assertThat(drain.status()).isEqualTo(403);
        assertThat(node.pipeline().isReady()).as("the refused drain did not drain").isTrue();
        assertThat(node.journal().appends()).as("nothing journaled").isEqualTo(appends);
        assertThat(onHand("AU-2")).isEqualTo(10);
        assertThat(call("GET", "/admin/cluster", null, "ops").status()).isEqualTo(200);
        assertThat(call("GET", "/v1/reservations/au-r-1", null, "shop").status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseARevokedKeyOnTheNextCallAfterAReloadAndKeepKeysWhenAFileIsBad() throws Exception
    {
        assertThat(call("PUT", "/v1/stock/AU-3/WH-1", "{\"onHand\":5}", "revoked-http").status()).isEqualTo(200);

        Files.writeString(keysFile, "{\"keys\":[{\"id\":\"x\",\"secretSha256\":\"zz\",\"scopes\":[\"read\"],"
            + "\"ratePerSecond\":1,\"burst\":1}]}");
        assertThat(node.accessControl().reloadIfChanged()).as("a bad file is refused").isFalse();
        assertThat(call("GET", "/v1/availability/AU-3/WH-1", null, "revoked-http").status())
            .as("the keys in force stay").isEqualTo(200);

        final List<String> kept = new ArrayList<>(SECRETS.keySet());
        kept.remove("revoked-http");
        writeKeys(kept);
        assertThat(node.accessControl().reloadIfChanged()).isTrue();

        final HttpJson.Answer answer = call("PUT", "/v1/stock/AU-3/WH-1", "{\"onHand\":50}", "revoked-http");
        assertThat(answer.status()).isEqualTo(401);
        assertThat(onHand("AU-3")).isEqualTo(5);
        assertThat(call("GET", "/v1/availability/AU-3/WH-1", null, "erp").status()).as("other keys stay")
            .isEqualTo(200);
        writeKeys(SECRETS.keySet());
        assertThat(node.accessControl().reloadIfChanged()).isTrue();
    }

    @Test
    void shouldRateLimitAKeyOverItsBudgetWithoutSlowingAnotherAndServeItOnceRefilled()
    {
        // slow-http: burst 2, 1 token a second. The node's clock only moves when this test moves it.
        assertThat(call("PUT", "/v1/stock/AU-4/WH-1", "{\"onHand\":1}", "slow-http").status()).isEqualTo(200);
        assertThat(call("GET", "/v1/availability/AU-4/WH-1", null, "slow-http").status()).isEqualTo(200);
        final long appends = node.journal().appends();

        final HttpJson.Answer limited = call("PUT", "/v1/stock/AU-4/WH-1", "{\"onHand\":2}", "slow-http");
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.text("error")).isEqualTo(ErrorCode.RATE_LIMITED.name());
        assertThat(limited.raw().headers().firstValue("Retry-After")).hasValue("1");
        assertThat(node.journal().appends()).isEqualTo(appends);

        // Another key is served at once while this one is over its budget.
        assertThat(call("PUT", "/v1/stock/AU-4/WH-1", "{\"onHand\":3}", "erp").status()).isEqualTo(200);
        assertThat(call("PUT", "/v1/stock/AU-4/WH-1", "{\"onHand\":4}", "slow-http").status()).isEqualTo(429);

        NOW_MS.addAndGet(1_000);
        assertThat(call("PUT", "/v1/stock/AU-4/WH-1", "{\"onHand\":5}", "slow-http").status()).isEqualTo(200);
        assertThat(onHand("AU-4")).isEqualTo(5);

        final String metrics = call("GET", "/metrics", null, null).body();
        assertThat(metrics).contains("stockgrid_key_requests_total{key=\"slow-http\",outcome=\"rate_limited\"} 2.0");
        assertThat(metrics).contains("stockgrid_key_requests_total{key=\"slow-http\",outcome=\"allowed\"} 3.0");
    }

    @Test
    void shouldKeepTheCreatingKeyAsCreatedBy()
    {
        assertThat(call("PUT", "/v1/stock/AU-5/WH-1", "{\"onHand\":10}", "erp").status()).isEqualTo(200);
        assertThat(call("POST", "/v1/reservations", "{\"reservationId\":\"au-r-5\",\"lines\":[{\"sku\":\"AU-5\","
            + "\"location\":\"WH-1\",\"quantity\":2}]}", "shop").status()).isEqualTo(201);
        assertThat(call("POST", "/v1/reservations/au-r-5/commit", null, "shop").status()).isEqualTo(200);

        final HttpJson.Answer read = call("GET", "/v1/reservations/au-r-5", null, "reader");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.text("status")).isEqualTo("COMMITTED");
        assertThat(read.text("createdBy")).isEqualTo("shop");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Binary
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseAHelloWithoutAKeyOrWithAnUnknownOneAndClose() throws Exception
    {
        for (final String secret : new String[] {null, "not-a-known-secret"})
        {
            try (BinarySocket socket = new BinarySocket(node.binaryPort()))
            {
                socket.send(BinarySocket.helloFrame(2, 2, secret));
                final BinarySocket.Frame error = socket.read();
                assertThat(error.requestId()).isZero();
                assertThat(error.errorCode()).isEqualTo(ErrorCode.UNAUTHENTICATED);
                socket.assertClosedByPeer();
            }
        }
        assertThatThrownBy(() -> StockgridClient.builder().address("127.0.0.1", node.binaryPort())
            .connectTimeout(Duration.ofSeconds(2)).build())
            .isInstanceOf(StockgridException.class).hasMessageContaining("UNAUTHENTICATED");
    }

    @Test
    void shouldAnswerFORBIDDENForAMessageOutsideTheKeysScopesAndStayOpen() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello(SECRETS.get("reader"));
            final long appends = node.journal().appends();
            socket.send(setStockFrame(1, "AU-B1", 10));
            socket.send(reserveFrame(2, "au-b-r1", "AU-B1"));
            socket.send(BinarySocket.frame(b -> new ReservationIdEncoder().wrap(b, 0, MessageType.COMMIT).requestId(3)
                .reservationId("au-b-r1").encodedLength()));
            final Map<Long, BinarySocket.Frame> answers = new LinkedHashMap<>();
            for (int i = 0; i < 3; i++)
            {
                final BinarySocket.Frame f = socket.read();
                answers.put(f.requestId(), f);
            }
            assertThat(answers.get(1L).errorCode()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(answers.get(1L).errorMessage()).isEqualTo(
                "key reader lacks the scope 'stock:write' that SET_STOCK needs");
            assertThat(answers.get(2L).errorMessage()).contains("'reservations:write'");
            assertThat(answers.get(3L).errorCode()).isEqualTo(ErrorCode.FORBIDDEN);
            // The connection stays open: a read within its scope is answered.
            socket.send(BinaryDoorTest.availabilityFrame(4, "AU-B1"));
            assertThat(socket.read().type()).isEqualTo(MessageType.AVAILABILITY);
            assertThat(node.journal().appends()).isEqualTo(appends);
        }
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello(SECRETS.get("ops"));
            socket.send(BinaryDoorTest.availabilityFrame(5, "AU-B1"));
            final BinarySocket.Frame answer = socket.read();
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(answer.errorMessage()).contains("'read'");
        }
    }

    @Test
    void shouldRefuseTheNextMessageOfAConnectionWhoseKeyAReloadRevoked() throws Exception
    {
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
            .apiKey(SECRETS.get("revoked-bin")).maxRetries(0).build())
        {
            client.setStock("AU-B2", "WH-1", 7);
            final List<String> kept = new ArrayList<>(SECRETS.keySet());
            kept.remove("revoked-bin");
            writeKeys(kept);
            assertThat(node.accessControl().reloadIfChanged()).isTrue();
            try
            {
                assertThatThrownBy(() -> client.setStock("AU-B2", "WH-1", 70))
                    .isInstanceOfSatisfying(StockgridException.class, ex ->
                        assertThat(ex.errorCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));
                assertThat(onHand("AU-B2")).isEqualTo(7);
            }
            finally
            {
                writeKeys(SECRETS.keySet());
                node.accessControl().reloadIfChanged();
            }
        }
    }

    @Test
    void shouldRateLimitABinaryKeyWithTheWaitWithoutSlowingAnotherAndServeItOnceRefilled() throws Exception
    {
        try (StockgridClient slow = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
            .apiKey(SECRETS.get("slow-bin")).maxRetries(0).build();
            StockgridClient other = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
                .apiKey(SECRETS.get("erp")).build())
        {
            slow.setStock("AU-B3", "WH-1", 1);
            slow.availability("AU-B3", "WH-1");
            assertThatThrownBy(() -> slow.setStock("AU-B3", "WH-1", 2))
                .isInstanceOfSatisfying(StockgridException.class, ex ->
                {
                    assertThat(ex.errorCode()).isEqualTo(ErrorCode.RATE_LIMITED);
                    assertThat(ex.retryAfterMs()).isEqualTo(1_000);
                    assertThat(ex.isRetryable()).as("after retryAfterMs").isTrue();
                });
            assertThat(other.setStock("AU-B3", "WH-1", 3).onHand()).isEqualTo(3);

            NOW_MS.addAndGet(1_000);
            assertThat(slow.setStock("AU-B3", "WH-1", 4).onHand()).isEqualTo(4);
        }
    }

    @Test
    void shouldServeAClientWithAKeyAndKeepItAsCreatedBy() throws Exception
    {
        try (StockgridClient erp = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
            .apiKey(SECRETS.get("erp")).build();
            StockgridClient shop = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
                .apiKey(SECRETS.get("shop")).build())
        {
            erp.setStock("AU-B4", "WH-1", 10);
            assertThat(shop.reserve("au-b-r4", List.of(new ReservationLine("AU-B4", "WH-1", 3))).status())
                .isEqualTo(ReservationStatus.HELD);
        }
        assertThat(call("GET", "/v1/reservations/au-b-r4", null, "reader").text("createdBy")).isEqualTo("shop");
    }

    private static byte[] setStockFrame(final long requestId, final String sku, final long onHand)
    {
        return BinarySocket.frame(b -> new SetStockEncoder().wrap(b, 0).requestId(requestId).onHand(onHand)
            .safetyStock(-1).sku(sku).location("WH-1").encodedLength());
    }

    private static byte[] reserveFrame(final long requestId, final String id, final String sku)
    {
        return BinarySocket.frame(b -> new ReserveEncoder().wrap(b, 0).requestId(requestId).ttlSeconds(60)
            .reservationId(id).correlationId(null).line(1, sku, "WH-1").encodedLength());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Start-up
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseToStartOffLoopbackWithoutKeysUnlessAuthNone()
    {
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.BIND_ADDRESS, "0.0.0.0").conclude())
            .isInstanceOf(NodeConfig.ConfigException.class)
            .hasMessageContaining("--bind-address").hasMessageContaining("not a loopback address")
            .hasMessageContaining("--auth-keys");
        TestNode.config(dir.resolve("x")).set(Setting.BIND_ADDRESS, "0.0.0.0").set(Setting.AUTH, "none").conclude();
        TestNode.config(dir.resolve("x")).set(Setting.BIND_ADDRESS, "0.0.0.0")
            .set(Setting.AUTH_KEYS, keysFile.toString()).conclude();
        TestNode.config(dir.resolve("x")).set(Setting.BIND_ADDRESS, "127.0.0.1").conclude();
        assertThatThrownBy(() -> TestNode.config(dir.resolve("x")).set(Setting.AUTH, "none")
            .set(Setting.AUTH_KEYS, keysFile.toString()).conclude()).hasMessageContaining("--auth is none");
    }

    @Test
    void shouldExitNonZeroWithOneLineWhenStartedOffLoopbackWithoutKeys() throws Exception
    {
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), StockgridNodeMain.class.getName(),
            "--bind-address", "0.0.0.0", "--data-dir", dir.resolve("refused").toString())
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(output.strip().lines().filter(l -> l.startsWith("stockgrid:")).toList()).singleElement()
            .asString().contains("not a loopback address");
        assertThat(Files.exists(dir.resolve("refused").resolve("node.lock"))).as("nothing started").isFalse();
    }

    @Test
    void shouldRefuseABadKeysFileAtStartNamingTheFault() throws Exception
    {
        final Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{", "not valid JSON");
        bad.put("{\"keys\":[{\"id\":\"a\",\"secretSha256\":\"" + "0".repeat(64) + "\",\"scopes\":[\"write\"],"
            + "\"ratePerSecond\":1,\"burst\":1}]}", "unknown scope \"write\"");
        bad.put("{\"keys\":[" + ENTRIES.get("erp") + "," + ENTRIES.get("erp").replace(SECRETS.get("erp"), "x") + "]}",
            "duplicate id 'erp'");
        bad.put("{\"keys\":[{\"id\":\"a\",\"secretSha256\":\"abc\",\"scopes\":[\"read\"],\"ratePerSecond\":1,"
            + "\"burst\":1}]}", "'secretSha256' must be 64 hex digits");
        bad.put("{\"keys\":[{\"id\":\"a\",\"secretSha256\":\"" + "0".repeat(64) + "\",\"scopes\":[\"read\"],"
            + "\"ratePerSecond\":0,\"burst\":1}]}", "'ratePerSecond' must be an integer in 1..");
        final Path file = dir.resolve("bad.json");
        for (final Map.Entry<String, String> e : bad.entrySet())
        {
            Files.writeString(file, e.getKey());
            assertThatThrownBy(() -> TestNode.config(dir.resolve("y")).set(Setting.AUTH_KEYS, file.toString())
                .conclude()).as(e.getKey()).isInstanceOf(NodeConfig.ConfigException.class)
                .hasMessageContaining(e.getValue());
        }
        assertThat(Set.of(Scope.values())).hasSize(4);
    }
}
