package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockgrid.api.ErrorCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/**
 * Bad input over real HTTP against one node. Every refusal carries the status and error code of the v1 contract and
 * a message naming the field, and changes nothing: the seeded keys read the same before and after, and an id sent
 * in a refused request is not remembered (a refused reservation is not found; a refused eventId or returnId can be
 * used afterwards). Values exactly on a bound are accepted. The last test checks the node is still healthy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest
{
    private static final String JSON = "application/json";
    private static final String STOCK_A = "/v1/stock/SKU-A/WH-1";
    private static final String ADJUST_A = STOCK_A + "/adjustments";
    private static final String RESERVE = "/v1/reservations";
    private static final String RETURNS = "/v1/returns";
    private static final String KEY_65 = "K".repeat(65);
    private static final String ID_129 = "i".repeat(129);
    private static final int BODY_BYTES_MAX = 64 * 1024;

    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static HttpJson http;
    private static String seededState;
    private static final Set<String> REFUSED_RESERVATION_IDS = new LinkedHashSet<>();
    private static final Set<String> REFUSED_EVENT_IDS = new LinkedHashSet<>();
    private static final Set<String> REFUSED_RETURN_IDS = new LinkedHashSet<>();

    /** Which id a refused request carried that must not have been remembered. */
    enum Carries
    {
        NO_ID,
        RESERVATION_ID,
        EVENT_ID,
        RETURN_ID
    }

    /** One request that must be refused, and the refusal expected. */
    record Refusal(String method, String path, String contentType, String body, ErrorCode error, String messagePart,
        Carries carries, String id)
    {
        HttpRequest.Builder request(final String base)
        {
            final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return contentType == null ? builder : builder.header("Content-Type", contentType);
        }
    }

    @BeforeAll
    static void startNodeAndSeedStock() throws Exception
    {
        node = TestNode.start(dataDir);
        http = new HttpJson(node.httpPort());
        expectStatus(http.put(STOCK_A, "{\"onHand\":100,\"safetyStock\":5}"), 200);
        expectStatus(http.put("/v1/stock/SKU-A/WH-2", "{\"onHand\":7}"), 200);
        expectStatus(http.put("/v1/stock/SKU-B/WH-1", "{\"onHand\":40}"), 200);
        expectStatus(http.post(RESERVE, reserve("held-1", line("SKU-B", "WH-1", "2"))), 201);
        expectStatus(http.put("/v1/stock/BIG/WH-1", "{\"onHand\":1000000000}"), 200);
        for (int i = 0; i < 100; i++)
        {
            expectStatus(http.put("/v1/stock/MANY/" + location(i), "{\"onHand\":1}"), 200);
        }
        seededState = state();
        assertThat(seededState).contains("\"reserved\":2").contains("\"status\":\"HELD\"");
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Refusals: status, error code, message naming the field, and nothing changed.
    // ----------------------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource({"refusedStockSnapshots", "refusedAdjustments", "refusedReservations", "refusedSettlements",
        "refusedReturns", "refusedReads", "refusedMediaTypes", "unknownPaths"})
    void shouldRefuseBadInputWithItsErrorCodeAndChangeNothing(final Refusal refusal)
    {
        final String before = state();

        final HttpJson.Answer answer = http.send(refusal.request(http.base()));

        assertThat(answer.status()).as(answer.body()).isEqualTo(refusal.error().httpStatus());
        assertThat(answer.json()).as("a JSON error object, got: " + answer.body()).isNotNull();
        assertThat(answer.text("error")).isEqualTo(refusal.error().name());
        assertThat(answer.text("message")).contains(refusal.messagePart());
        assertThat(state()).isEqualTo(before);
        rememberRefusedId(refusal.carries(), refusal.id());
    }

    static Stream<Arguments> refusedStockSnapshots()
    {
        return Stream.of(
            malformed("stock: truncated JSON", "PUT", STOCK_A, "{\"onHand\":"),
            malformed("stock: unclosed object", "PUT", STOCK_A, "{\"onHand\":1"),
            malformed("stock: a second value after the object", "PUT", STOCK_A, "{\"onHand\":1} {\"onHand\":2}"),
            malformed("stock: a stray bracket after the object", "PUT", STOCK_A, "{\"onHand\":1}]"),
            malformed("stock: single-quoted names", "PUT", STOCK_A, "{'onHand':1}"),
            notAnObject("stock: JSON array", "PUT", STOCK_A, "[{\"onHand\":1}]"),
            notAnObject("stock: JSON string", "PUT", STOCK_A, "\"onHand\""),
            notAnObject("stock: JSON number", "PUT", STOCK_A, "1"),
            notAnObject("stock: JSON null", "PUT", STOCK_A, "null"),
            refused("stock: empty body", "PUT", STOCK_A, "", "body is required"),
            invalid("stock: duplicate key", "PUT", STOCK_A, "{\"onHand\":1,\"onHand\":2}", "onHand"),
            invalid("stock: onHand missing", "PUT", STOCK_A, "{\"safetyStock\":1}", "onHand"),
            invalid("stock: onHand null", "PUT", STOCK_A, "{\"onHand\":null}", "onHand"),
            invalid("stock: onHand a string", "PUT", STOCK_A, "{\"onHand\":\"5\"}", "onHand"),
            invalid("stock: onHand a boolean", "PUT", STOCK_A, "{\"onHand\":true}", "onHand"),
            invalid("stock: onHand 1.5", "PUT", STOCK_A, "{\"onHand\":1.5}", "onHand"),
            invalid("stock: onHand -1", "PUT", STOCK_A, "{\"onHand\":-1}", "onHand"),
            invalid("stock: onHand 1000000001", "PUT", STOCK_A, "{\"onHand\":1000000001}", "onHand"),
            invalid("stock: onHand 2^63", "PUT", STOCK_A, "{\"onHand\":9223372036854775808}", "onHand"),
            invalid("stock: safetyStock -1", "PUT", STOCK_A, "{\"onHand\":1,\"safetyStock\":-1}", "safetyStock"),
            invalid("stock: safetyStock 1000000001", "PUT", STOCK_A,
                "{\"onHand\":1,\"safetyStock\":1000000001}", "safetyStock"),
            invalid("stock: safetyStock a string", "PUT", STOCK_A, "{\"onHand\":1,\"safetyStock\":\"0\"}",
                "safetyStock"),
            invalid("stock: sku of 65 chars", "PUT", "/v1/stock/" + KEY_65 + "/WH-1", "{\"onHand\":1}", "sku"),
            invalid("stock: sku with an encoded space", "PUT", "/v1/stock/SKU%20A/WH-1", "{\"onHand\":1}", "sku"),
            invalid("stock: sku with an encoded slash", "PUT", "/v1/stock/SKU%2FA/WH-1", "{\"onHand\":1}", "sku"),
            invalid("stock: location with '*'", "PUT", "/v1/stock/SKU-A/WH*1", "{\"onHand\":1}", "location"));
    }

    static Stream<Arguments> refusedAdjustments()
    {
        return Stream.of(
            carried("adjust: truncated JSON", ADJUST_A, Carries.EVENT_ID, "bad-e-1",
                "{\"eventId\":\"bad-e-1\",\"delta\":", "malformed JSON"),
            carried("adjust: JSON array", ADJUST_A, Carries.EVENT_ID, "bad-e-2",
                "[{\"eventId\":\"bad-e-2\",\"delta\":1}]", "must be a JSON object"),
            invalid("adjust: eventId missing", "POST", ADJUST_A, "{\"delta\":1}", "eventId"),
            invalid("adjust: eventId a number", "POST", ADJUST_A, "{\"eventId\":5,\"delta\":1}", "eventId"),
            invalid("adjust: eventId empty", "POST", ADJUST_A, "{\"eventId\":\"\",\"delta\":1}", "eventId"),
            invalid("adjust: eventId of 129 chars", "POST", ADJUST_A,
                "{\"eventId\":\"" + ID_129 + "\",\"delta\":1}", "eventId"),
            invalid("adjust: eventId with a space", "POST", ADJUST_A, "{\"eventId\":\"e 1\",\"delta\":1}", "eventId"),
            adjust("adjust: delta missing", "bad-e-3", "{\"eventId\":\"bad-e-3\"}", "delta"),
            adjust("adjust: delta 0", "bad-e-4", "{\"eventId\":\"bad-e-4\",\"delta\":0}", "delta"),
            adjust("adjust: delta 1.5", "bad-e-5", "{\"eventId\":\"bad-e-5\",\"delta\":1.5}", "delta"),
            adjust("adjust: delta a string", "bad-e-6", "{\"eventId\":\"bad-e-6\",\"delta\":\"3\"}", "delta"),
            adjust("adjust: delta 1000000001", "bad-e-7", "{\"eventId\":\"bad-e-7\",\"delta\":1000000001}",
                "delta"),
            adjust("adjust: delta -1000000001", "bad-e-8", "{\"eventId\":\"bad-e-8\",\"delta\":-1000000001}",
                "delta"),
            adjust("adjust: duplicate delta key", "bad-e-9", "{\"eventId\":\"bad-e-9\",\"delta\":1,\"delta\":2}",
                "delta"),
            adjust("adjust: reason a number", "bad-e-10", "{\"eventId\":\"bad-e-10\",\"delta\":1,\"reason\":5}",
                "reason"),
            adjust("adjust: reason of 257 chars", "bad-e-11",
                "{\"eventId\":\"bad-e-11\",\"delta\":1,\"reason\":\"" + "x".repeat(257) + "\"}", "reason"),
            adjust("adjust: reason of 257 emoji (chars are code points)", "bad-e-11b",
                "{\"eventId\":\"bad-e-11b\",\"delta\":1,\"reason\":\"" + "\uD83D\uDE00".repeat(257) + "\"}",
                "reason"),
            invalid("adjust: sku of 65 chars", "POST", "/v1/stock/" + KEY_65 + "/WH-1/adjustments",
                "{\"eventId\":\"bad-e-12\",\"delta\":1}", "sku"),
            invalid("adjust: location with an encoded space", "POST", "/v1/stock/SKU-A/WH%201/adjustments",
                "{\"eventId\":\"bad-e-13\",\"delta\":1}", "location"));
    }

    static Stream<Arguments> refusedReservations()
    {
        final String good = line("SKU-A", "WH-1", "1");
        final List<String> lines101 = new ArrayList<>(101);
        for (int i = 0; i < 101; i++)
        {
            lines101.add(line("SKU-A", "L" + i, "1"));
        }
        return Stream.of(
            carried("reserve: truncated JSON", RESERVE, Carries.RESERVATION_ID, "bad-r-1",
                "{\"reservationId\":\"bad-r-1\",\"lines\":[", "malformed JSON"),
            carried("reserve: a second object after the first", RESERVE, Carries.RESERVATION_ID, "bad-r-2",
                reserve("bad-r-2", good) + reserve("bad-r-2", good), "malformed JSON"),
            carried("reserve: JSON array", RESERVE, Carries.RESERVATION_ID, "bad-r-3",
                "[" + reserve("bad-r-3", good) + "]", "must be a JSON object"),
            carried("reserve: JSON string", RESERVE, Carries.RESERVATION_ID, "bad-r-4", "\"bad-r-4\"",
                "must be a JSON object"),
            invalid("reserve: reservationId missing", "POST", RESERVE, "{\"lines\":[" + good + "]}",
                "reservationId"),
            invalid("reserve: reservationId a number", "POST", RESERVE, "{\"reservationId\":42,\"lines\":[" + good
                + "]}", "reservationId"),
            invalid("reserve: reservationId of 129 chars", "POST", RESERVE, reserve(ID_129, good), "reservationId"),
            invalid("reserve: reservationId with a space", "POST", RESERVE, reserve("bad r", good), "reservationId"),
            invalid("reserve: reservationId with '/'", "POST", RESERVE, reserve("bad/r", good), "reservationId"),
            reservation("reserve: duplicate reservationId key", "bad-r-5",
                "{\"reservationId\":\"bad-r-5\",\"reservationId\":\"bad-r-6\",\"lines\":[" + good + "]}",
                "reservationId"),
            reservation("reserve: lines missing", "bad-r-7", "{\"reservationId\":\"bad-r-7\"}", "lines"),
            reservation("reserve: lines an object", "bad-r-8", "{\"reservationId\":\"bad-r-8\",\"lines\":" + good
                + "}", "lines"),
            reservation("reserve: 0 lines", "bad-r-9", reserve("bad-r-9", ""), "lines"),
            reservation("reserve: 101 lines", "bad-r-10", reserve("bad-r-10", String.join(",", lines101)), "lines"),
            reservation("reserve: a line that is a number", "bad-r-11", reserve("bad-r-11", "5"), "lines[0]"),
            reservation("reserve: quantity 0", "bad-r-12", reserve("bad-r-12", good + "," + line("SKU-B", "WH-1",
                "0")), "lines[1].quantity"),
            reservation("reserve: quantity 1000001", "bad-r-13", reserve("bad-r-13", good + ","
                + line("BIG", "WH-1", "1000001")), "lines[1].quantity"),
            reservation("reserve: quantity 1.5", "bad-r-14", reserve("bad-r-14", good + "," + line("SKU-B", "WH-1",
                "1.5")), "lines[1].quantity"),
            reservation("reserve: quantity a string", "bad-r-15", reserve("bad-r-15", good + ","
                + line("SKU-B", "WH-1", "\"2\"")), "lines[1].quantity"),
            reservation("reserve: quantity -1", "bad-r-16", reserve("bad-r-16", good + "," + line("SKU-B", "WH-1",
                "-1")), "lines[1].quantity"),
            reservation("reserve: quantity missing", "bad-r-17", reserve("bad-r-17", good
                + ",{\"sku\":\"SKU-B\",\"location\":\"WH-1\"}"), "lines[1].quantity"),
            reservation("reserve: sku missing", "bad-r-18", reserve("bad-r-18",
                "{\"location\":\"WH-1\",\"quantity\":1}"), "lines[0].sku"),
            reservation("reserve: sku of 65 chars", "bad-r-19", reserve("bad-r-19", line(KEY_65, "WH-1", "1")),
                "lines[0].sku"),
            reservation("reserve: sku with a space", "bad-r-20", reserve("bad-r-20", line("SKU A", "WH-1", "1")),
                "lines[0].sku"),
            reservation("reserve: location with '/'", "bad-r-21", reserve("bad-r-21", good + ","
                + line("SKU-B", "WH/1", "1")), "lines[1].location"),
            reservation("reserve: two lines on the same key", "bad-r-22", reserve("bad-r-22", good + ","
                + line("SKU-B", "WH-1", "1") + "," + line("SKU-A", "WH-1", "2")), "lines[2]"),
            reservation("reserve: ttlSeconds 0", "bad-r-23", reserveWithTtl("bad-r-23", good, "0"), "ttlSeconds"),
            reservation("reserve: ttlSeconds 86401", "bad-r-24", reserveWithTtl("bad-r-24", good, "86401"),
                "ttlSeconds"),
            reservation("reserve: ttlSeconds 1.5", "bad-r-25", reserveWithTtl("bad-r-25", good, "1.5"),
                "ttlSeconds"),
            reservation("reserve: ttlSeconds a string", "bad-r-26", reserveWithTtl("bad-r-26", good, "\"60\""),
                "ttlSeconds"),
            reservation("reserve: correlationId of 129 chars", "bad-r-27", "{\"reservationId\":\"bad-r-27\","
                + "\"correlationId\":\"" + ID_129 + "\",\"lines\":[" + good + "]}", "correlationId"),
            reservation("reserve: correlationId a number", "bad-r-28", "{\"reservationId\":\"bad-r-28\","
                + "\"correlationId\":7,\"lines\":[" + good + "]}", "correlationId"));
    }

    static Stream<Arguments> refusedSettlements()
    {
        return Stream.of(
            invalid("commit: reservationId of 129 chars", "POST", "/v1/reservations/" + ID_129 + "/commit", null,
                "reservationId"),
            invalid("release: reservationId of 129 chars", "POST", "/v1/reservations/" + ID_129 + "/release", null,
                "reservationId"),
            invalid("commit: reservationId with '*'", "POST", "/v1/reservations/held-1*/commit", null,
                "reservationId"),
            invalid("release: reservationId with an encoded space", "POST", "/v1/reservations/held%201/release",
                null, "reservationId"),
            invalid("release: reservationId with an encoded slash", "POST", "/v1/reservations/held%2F1/release",
                null, "reservationId"),
            notFound("commit: empty reservationId segment", "POST", "/v1/reservations//commit", null));
    }

    static Stream<Arguments> refusedReturns()
    {
        return Stream.of(
            carried("return: truncated JSON", RETURNS, Carries.RETURN_ID, "bad-t-1", "{\"returnId\":\"bad-t-1\",",
                "malformed JSON"),
            notAnObject("return: JSON array", "POST", RETURNS, "[]"),
            invalid("return: returnId missing", "POST", RETURNS, returnBody(null, "SKU-A", "WH-1", "1", "\"RESTOCK\""),
                "returnId"),
            invalid("return: returnId of 129 chars", "POST", RETURNS,
                returnBody(ID_129, "SKU-A", "WH-1", "1", "\"RESTOCK\""), "returnId"),
            invalid("return: sku of 65 chars", "POST", RETURNS,
                returnBody("bad-t-2", KEY_65, "WH-1", "1", "\"RESTOCK\""), "sku"),
            invalid("return: sku missing", "POST", RETURNS, returnBody("bad-t-3", null, "WH-1", "1", "\"RESTOCK\""),
                "sku"),
            invalid("return: location with a space", "POST", RETURNS,
                returnBody("bad-t-4", "SKU-A", "WH 1", "1", "\"RESTOCK\""), "location"),
            returned("return: quantity 0", "bad-t-5", "0", "\"RESTOCK\"", "quantity"),
            returned("return: quantity 1000001", "bad-t-6", "1000001", "\"RESTOCK\"", "quantity"),
            returned("return: quantity 1.5", "bad-t-7", "1.5", "\"RESTOCK\"", "quantity"),
            returned("return: quantity a string", "bad-t-8", "\"1\"", "\"RESTOCK\"", "quantity"),
            returned("return: disposition missing", "bad-t-9", "1", null, "disposition"),
            returned("return: disposition unknown", "bad-t-10", "1", "\"LOST\"", "disposition"),
            returned("return: disposition in lower case", "bad-t-11", "1", "\"restock\"", "disposition"),
            returned("return: disposition a number", "bad-t-12", "1", "1", "disposition"),
            named("return: duplicate quantity key", new Refusal("POST", RETURNS, JSON,
                "{\"returnId\":\"bad-t-13\",\"sku\":\"SKU-A\",\"location\":\"WH-1\",\"quantity\":1,\"quantity\":2,"
                    + "\"disposition\":\"RESTOCK\"}", ErrorCode.INVALID_REQUEST, "'quantity'", Carries.RETURN_ID,
                "bad-t-13")));
    }

    static Stream<Arguments> refusedReads()
    {
        return Stream.of(
            invalid("availability: sku of 65 chars", "GET", "/v1/availability/" + KEY_65 + "/WH-1", null, "sku"),
            invalid("availability: location of 65 chars", "GET", "/v1/availability/SKU-A/" + KEY_65, null,
                "location"),
            invalid("availability: sku with an encoded space", "GET", "/v1/availability/SKU%20A/WH-1", null, "sku"),
            invalid("availability: sku with '*'", "GET", "/v1/availability/SKU*A/WH-1", null, "sku"),
            invalid("availability: sku with an encoded non-ASCII letter", "GET", "/v1/availability/SK%C3%9C/WH-1",
                null, "sku"),
            invalid("availability: location with an encoded slash", "GET", "/v1/availability/SKU-A/WH%2F1", null,
                "location"),
            invalid("sku availability: sku of 65 chars", "GET", "/v1/availability/" + KEY_65, null, "sku"),
            invalid("sku availability: sku with '*'", "GET", "/v1/availability/*", null, "sku"),
            invalid("reservation: id of 129 chars", "GET", "/v1/reservations/" + ID_129, null, "reservationId"),
            invalid("reservation: id with an encoded space", "GET", "/v1/reservations/held%201", null,
                "reservationId"),
            invalid("reservation: id with '*'", "GET", "/v1/reservations/held-*", null, "reservationId"),
            notFound("availability: empty sku segment", "GET", "/v1/availability//WH-1", null),
            notFound("availability: empty location segment", "GET", "/v1/availability/SKU-A/", null),
            notFound("reservation: empty id segment", "GET", "/v1/reservations/", null));
    }

    static Stream<Arguments> refusedMediaTypes()
    {
        final String stock = "{\"onHand\":1}";
        final String adjustment = "{\"eventId\":\"bad-e-20\",\"delta\":1}";
        final String reservation = reserve("bad-r-30", line("SKU-A", "WH-1", "1"));
        final String returned = returnBody("bad-t-20", "SKU-A", "WH-1", "1", "\"RESTOCK\"");
        return Stream.of(
            unsupported("stock: no Content-Type", "PUT", STOCK_A, null, stock, Carries.NO_ID, null),
            unsupported("stock: text/plain", "PUT", STOCK_A, "text/plain", stock, Carries.NO_ID, null),
            unsupported("adjust: no Content-Type", "POST", ADJUST_A, null, adjustment, Carries.EVENT_ID, "bad-e-20"),
            unsupported("adjust: text/plain", "POST", ADJUST_A, "text/plain; charset=utf-8", adjustment,
                Carries.EVENT_ID, "bad-e-20"),
            unsupported("reserve: no Content-Type", "POST", RESERVE, null, reservation, Carries.RESERVATION_ID,
                "bad-r-30"),
            unsupported("reserve: text/plain", "POST", RESERVE, "text/plain", reservation, Carries.RESERVATION_ID,
                "bad-r-30"),
            unsupported("reserve: application/x-www-form-urlencoded", "POST", RESERVE,
                "application/x-www-form-urlencoded", reservation, Carries.RESERVATION_ID, "bad-r-30"),
            unsupported("return: no Content-Type", "POST", RETURNS, null, returned, Carries.RETURN_ID, "bad-t-20"),
            unsupported("return: text/plain", "POST", RETURNS, "text/plain", returned, Carries.RETURN_ID,
                "bad-t-20"));
    }

    static Stream<Arguments> unknownPaths()
    {
        return Stream.of(
            notFound("unknown: root", "GET", "/", null),
            notFound("unknown: another API version", "GET", "/v2/availability/SKU-A/WH-1", null),
            notFound("unknown: a segment too many", "GET", "/v1/availability/SKU-A/WH-1/more", null),
            notFound("unknown: stock without a key", "PUT", "/v1/stock", "{\"onHand\":1}"),
            notFound("unknown: empty sku segment in a stock snapshot", "PUT", "/v1/stock//WH-1", "{\"onHand\":1}"),
            named("unknown: reservation in the singular", new Refusal("POST", "/v1/reservation", JSON,
                reserve("bad-r-31", line("SKU-A", "WH-1", "1")), ErrorCode.NOT_FOUND, "no such path",
                Carries.RESERVATION_ID, "bad-r-31")));
    }

    @ParameterizedTest(name = "{0} {1} -> 405, Allow: {2}")
    @CsvSource({
        "DELETE, /v1/stock/SKU-A/WH-1, PUT",
        "GET,    /v1/stock/SKU-A/WH-1, PUT",
        "GET,    /v1/stock/SKU-A/WH-1/adjustments, POST",
        "GET,    /v1/reservations, POST",
        "DELETE, /v1/reservations/held-1, GET",
        "GET,    /v1/reservations/held-1/commit, POST",
        "PUT,    /v1/reservations/held-1/release, POST",
        "GET,    /v1/returns, POST",
        "POST,   /v1/availability/SKU-A/WH-1, GET",
        "PATCH,  /v1/availability/SKU-A, GET",
        "POST,   /health/ready, GET"})
    void shouldAnswerWrongMethodWith405AndAllowHeader(final String method, final String path, final String allow)
    {
        final String before = state();

        final HttpJson.Answer answer = http.send(HttpRequest.newBuilder(URI.create(http.base() + path))
            .header("Content-Type", JSON).method(method, HttpRequest.BodyPublishers.ofString("{\"onHand\":1}")));

        assertThat(answer.status()).as(answer.body()).isEqualTo(405);
        assertThat(answer.raw().headers().firstValue("Allow")).hasValue(allow);
        assertThat(answer.text("error")).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED.name());
        assertThat(answer.text("message")).contains(method).contains(allow);
        assertThat(state()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "GET /v1/availability/%ZZ",
        "GET /v1/availability/%ZZ/WH-1",
        "GET /v1/availability/SKU-A/WH%",
        "GET /v1/reservations/held%G1",
        "POST /v1/reservations/held%2/commit",
        "PUT /v1/stock/%ZZ/WH-1",
        "POST /v1/stock/SKU-A/WH%-1/adjustments"})
    void shouldRefuseMalformedPercentEncodingAndKeepTheConnectionUsable(final String methodAndTarget)
        throws Exception
    {
        final String[] parts = methodAndTarget.split(" ");
        final String before = state();
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(RawHttp.concat(RawHttp.json(parts[0], parts[1], "{\"onHand\":1,\"eventId\":\"bad-e-30\","
                + "\"delta\":1}"), RawHttp.request("GET", "/health/live", null, null, false)));

            final RawHttp.Response refused = raw.read();
            final RawHttp.Response next = raw.read();

            assertThat(refused.status()).as(refused.text()).isEqualTo(400);
            assertThat(refused.json().path("error").asText()).isEqualTo(ErrorCode.INVALID_REQUEST.name());
            assertThat(refused.json().path("message").asText()).contains("percent-encoding");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.json().path("status").asText()).isEqualTo("UP");
        }
        assertThat(state()).isEqualTo(before);
        rememberRefusedId(Carries.EVENT_ID, "bad-e-30");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Content-Length not a number | Content-Length: abc",
        "Content-Length negative     | Content-Length: -5",
        "header line over 8 KiB      | X-Padding: %s"})
    void shouldAnswerUndecodableRequestWith400AndClose(final String name, final String header) throws Exception
    {
        final String before = state();
        final String head = "PUT " + STOCK_A + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + String.format(header, "p".repeat(9000)) + "\r\n\r\n{\"onHand\":1}";
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(RawHttp.concat(head.getBytes(StandardCharsets.US_ASCII),
                RawHttp.request("GET", "/health/live", null, null, false)));

            final RawHttp.Response answer = raw.read();

            assertThat(answer.status()).as(answer.text()).isEqualTo(400);
            assertThat(answer.json().path("error").asText()).isEqualTo(ErrorCode.INVALID_REQUEST.name());
            assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByPeer()).as("closed without answering what followed").isTrue();
        }
        assertThat(state()).isEqualTo(before);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The body size limit (64 KiB).
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseBodyOneByteOverTheLimitWith413AndClose() throws Exception
    {
        final String before = state();
        final byte[] body = padded("{\"onHand\":1}", BODY_BYTES_MAX + 1);

        final RawHttp.Response answer = sendAlone(RawHttp.request("PUT", STOCK_A, JSON, body, false));

        assertThat(answer.status()).as(answer.text()).isEqualTo(413);
        assertThat(answer.json().path("error").asText()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.name());
        assertThat(answer.json().path("message").asText()).contains(String.valueOf(BODY_BYTES_MAX));
        assertThat(state()).isEqualTo(before);
    }

    @ParameterizedTest(name = "X-Correlation-Id of {0} chars")
    @org.junit.jupiter.params.provider.ValueSource(ints = {129, 500})
    void shouldRefuseOverlongCorrelationIdHeaderAndChangeNothing(final int length)
    {
        final String before = state();
        final HttpJson.Answer answer = http.send(HttpRequest.newBuilder(java.net.URI.create(http.base() + RESERVE))
            .header("Content-Type", JSON).header("X-Correlation-Id", "c".repeat(length))
            .POST(HttpRequest.BodyPublishers.ofString(reserve("bad-corr-" + length, line("SKU-A", "WH-1", "1")))));
        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.text("error")).isEqualTo(ErrorCode.INVALID_REQUEST.name());
        assertThat(answer.text("message")).contains("X-Correlation-Id");
        assertThat(state()).isEqualTo(before);
        rememberRefusedId(Carries.RESERVATION_ID, "bad-corr-" + length);
    }

    @Test
    void shouldRefuseReservationOverTheLimitWithoutRememberingItsId() throws Exception
    {
        final String before = state();
        final byte[] body = padded(reserve("bad-r-40", line("SKU-A", "WH-1", "1")), BODY_BYTES_MAX + 1);

        final RawHttp.Response answer = sendAlone(RawHttp.request("POST", RESERVE, JSON, body, false));

        assertThat(answer.status()).as(answer.text()).isEqualTo(413);
        assertThat(answer.json().path("error").asText()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.name());
        assertThat(state()).isEqualTo(before);
        rememberRefusedId(Carries.RESERVATION_ID, "bad-r-40");
    }

    @Test
    void shouldRefuseChunkedBodyOverTheLimitWith413AndClose() throws Exception
    {
        final String before = state();
        final byte[] body = padded("{\"onHand\":1}", BODY_BYTES_MAX + 1);
        final int half = body.length / 2;
        final byte[] head = ("PUT " + STOCK_A + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] request = RawHttp.concat(head, chunk(body, 0, half), chunk(body, half, body.length),
            "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        final RawHttp.Response answer = sendAlone(request);

        assertThat(answer.status()).as(answer.text()).isEqualTo(413);
        assertThat(answer.json().path("error").asText()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.name());
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void shouldAcceptBodyOfExactlyTheLimit()
    {
        final byte[] body = padded("{\"onHand\":12}", BODY_BYTES_MAX);

        final HttpJson.Answer answer = http.send(HttpRequest.newBuilder(URI.create(http.base()
            + "/v1/stock/LIMIT/WH-1")).header("Content-Type", JSON).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(12);
        assertThat(http.get("/v1/availability/LIMIT/WH-1").number("onHand")).isEqualTo(12);
    }

    @Test
    void shouldJudgeMalformedBodyOfExactlyTheLimitAsBadJsonNotAsTooLarge()
    {
        final String before = state();
        final byte[] body = padded("{\"onHand\":", BODY_BYTES_MAX);

        final HttpJson.Answer answer = http.send(HttpRequest.newBuilder(URI.create(http.base() + STOCK_A))
            .header("Content-Type", JSON).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(400);
        assertThat(answer.text("error")).isEqualTo(ErrorCode.INVALID_REQUEST.name());
        assertThat(answer.text("message")).contains("malformed JSON");
        assertThat(state()).isEqualTo(before);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Values exactly on each bound are accepted.
    // ----------------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "onHand {0}, safetyStock {1}")
    @CsvSource({"0, 0", "1000000000, 0", "1000000000, 1000000000", "5, 5"})
    void shouldAcceptStockLevelsExactlyOnTheBounds(final long onHand, final long safetyStock)
    {
        final String path = "/v1/stock/BOUND-" + onHand + "-" + safetyStock + "/WH-1";

        final HttpJson.Answer answer = http.put(path, "{\"onHand\":" + onHand + ",\"safetyStock\":" + safetyStock
            + "}");

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(onHand);
        assertThat(answer.number("safetyStock")).isEqualTo(safetyStock);
        assertThat(answer.number("available")).isEqualTo(onHand - safetyStock);
    }

    @ParameterizedTest(name = "onHand {0} + delta {1} = {2}")
    @CsvSource({"0, 1000000000, 1000000000", "1000000000, -1000000000, 0", "5, 1, 6", "5, -1, 4"})
    void shouldAcceptAdjustmentDeltasExactlyOnTheBounds(final long onHand, final long delta, final long expected)
    {
        final String key = "/v1/stock/DELTA_" + onHand + "_" + delta + "/WH-1";
        expectStatus(http.put(key, "{\"onHand\":" + onHand + "}"), 200);

        final HttpJson.Answer answer = http.post(key + "/adjustments", "{\"eventId\":\"bound-e-" + delta
            + "\",\"delta\":" + delta + "}");

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(expected);
    }

    @Test
    void shouldCountTheCharsOfAReasonAsCodePoints()
    {
        // 256 emoji: 512 UTF-16 units, but 256 chars as the OpenAPI document (maxLength) and the binary door count.
        final String key = "/v1/stock/EMOJI/WH-1";
        expectStatus(http.put(key, "{\"onHand\":5}"), 200);
        final HttpJson.Answer answer = http.post(key + "/adjustments", "{\"eventId\":\"emoji-e\",\"delta\":1,"
            + "\"reason\":\"" + "\uD83D\uDE00".repeat(256) + "\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(6);
    }

    @ParameterizedTest(name = "quantity {0}, ttlSeconds {1}")
    @CsvSource({"1, 1", "1000000, 86400", "1000000, 1", "1, 86400"})
    void shouldAcceptReservationsExactlyOnTheBounds(final long quantity, final int ttlSeconds)
    {
        final String id = "bound-q" + quantity + "-t" + ttlSeconds;

        final HttpJson.Answer answer = http.post(RESERVE, reserveWithTtl(id, line("BIG", "WH-1",
            String.valueOf(quantity)), String.valueOf(ttlSeconds)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        assertThat(answer.text("status")).isEqualTo("HELD");
        assertThat(answer.json().path("lines").get(0).path("quantity").asLong()).isEqualTo(quantity);
    }

    @Test
    void shouldAcceptReservationOfExactlyOneHundredLines()
    {
        final List<String> lines = new ArrayList<>(100);
        for (int i = 0; i < 100; i++)
        {
            lines.add(line("MANY", location(i), "1"));
        }

        final HttpJson.Answer answer = http.post(RESERVE, reserve("bound-lines-100", String.join(",", lines)));

        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        assertThat(answer.json().path("lines").size()).isEqualTo(100);
        final JsonNode many = http.get("/v1/availability/MANY").json();
        assertThat(many.path("available").asLong()).isZero();
        assertThat(many.path("locations").size()).isEqualTo(100);
    }

    @ParameterizedTest(name = "quantity {0}")
    @ValueSource(longs = {1, 1_000_000})
    void shouldAcceptReturnQuantitiesExactlyOnTheBounds(final long quantity)
    {
        final String sku = "RETURN-" + quantity;

        final HttpJson.Answer answer = http.post(RETURNS, returnBody("bound-t-" + quantity, sku, "WH-1",
            String.valueOf(quantity), "\"RESTOCK\""));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(quantity);
    }

    @Test
    void shouldAcceptJsonContentTypeWithCharsetParameter()
    {
        final HttpJson.Answer answer = http.send(HttpRequest.newBuilder(URI.create(http.base()
            + "/v1/stock/CHARSET/WH-1")).header("Content-Type", "Application/JSON; charset=UTF-8")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"onHand\":3}")));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.number("onHand")).isEqualTo(3);
    }

    @Test
    void shouldAcceptIdentifiersOfExactlyTheShortestAndLongestLength()
    {
        final String sku = "Az09._-".repeat(10).substring(0, 64);
        final String location = "-._90zA".repeat(10).substring(0, 64);
        final String reservationId = "Az09._:-".repeat(16);
        final String eventId = "E".repeat(128);
        final String returnId = "T:".repeat(64);
        assertThat(reservationId).hasSize(128);

        expectStatus(http.put("/v1/stock/x/y", "{\"onHand\":1}"), 200);
        expectStatus(http.post("/v1/stock/x/y/adjustments", "{\"eventId\":\"e\",\"delta\":1}"), 200);
        expectStatus(http.post(RETURNS, returnBody("t", "x", "y", "1", "\"DAMAGED\"")), 200);
        expectStatus(http.post(RESERVE, reserve("z", line("x", "y", "2"))), 201);
        assertThat(http.get("/v1/reservations/z").text("status")).isEqualTo("HELD");
        assertThat(http.get("/v1/availability/x/y").number("available")).isZero();
        final HttpJson.Answer stocked = http.put("/v1/stock/" + sku + "/" + location, "{\"onHand\":10}");
        assertThat(stocked.status()).as(stocked.body()).isEqualTo(200);
        assertThat(stocked.text("sku")).isEqualTo(sku);
        assertThat(stocked.text("location")).isEqualTo(location);
        assertThat(http.get("/v1/availability/" + sku + "/" + location).number("onHand")).isEqualTo(10);
        assertThat(http.get("/v1/availability/" + sku).number("available")).isEqualTo(10);

        final HttpJson.Answer held = http.post(RESERVE, reserve(reservationId, line(sku, location, "2")));
        assertThat(held.status()).as(held.body()).isEqualTo(201);
        assertThat(held.text("reservationId")).isEqualTo(reservationId);
        assertThat(http.get("/v1/reservations/" + reservationId).text("status")).isEqualTo("HELD");
        assertThat(http.post("/v1/reservations/" + reservationId + "/release", "").text("status"))
            .isEqualTo("RELEASED");

        final HttpJson.Answer adjusted = http.post("/v1/stock/" + sku + "/" + location + "/adjustments",
            "{\"eventId\":\"" + eventId + "\",\"delta\":1}");
        assertThat(adjusted.status()).as(adjusted.body()).isEqualTo(200);
        assertThat(adjusted.number("onHand")).isEqualTo(11);
        final HttpJson.Answer returned = http.post(RETURNS, returnBody(returnId, sku, location, "1", "\"RESTOCK\""));
        assertThat(returned.status()).as(returned.body()).isEqualTo(200);
        assertThat(returned.number("onHand")).isEqualTo(12);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Pipelining: answers leave in request order.
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerPipelinedRequestsInRequestOrder() throws Exception
    {
        expectStatus(http.put("/v1/stock/PIPE/WH-1", "{\"onHand\":10}"), 200);
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(RawHttp.concat(
                RawHttp.request("GET", "/v1/availability/PIPE/WH-1", null, null, false),
                RawHttp.json("POST", RESERVE, reserve("pipe-1", line("PIPE", "WH-1", "3"))),
                RawHttp.request("GET", "/v1/reservations/pipe-1", null, null, false)));

            final RawHttp.Response availability = raw.read();
            final RawHttp.Response reserved = raw.read();
            final RawHttp.Response reservation = raw.read();

            assertThat(availability.status()).as(availability.text()).isEqualTo(200);
            assertThat(availability.json().path("sku").asText()).isEqualTo("PIPE");
            assertThat(availability.json().path("available").asLong()).isEqualTo(10);
            assertThat(reserved.status()).as(reserved.text()).isEqualTo(201);
            assertThat(reserved.json().path("reservationId").asText()).isEqualTo("pipe-1");
            assertThat(reserved.json().path("status").asText()).isEqualTo("HELD");
            assertThat(reservation.status()).as(reservation.text()).isEqualTo(200);
            assertThat(reservation.json().path("reservationId").asText()).isEqualTo("pipe-1");
            assertThat(reservation.json().path("status").asText()).isEqualTo("HELD");
            assertThat(reserved.header("Connection")).isEqualToIgnoringCase("keep-alive");
        }
    }

    @Test
    void shouldKeepRequestOrderWhenQuickRefusalsFollowSlowAnswers() throws Exception
    {
        expectStatus(http.put("/v1/stock/PIPE2/WH-1", "{\"onHand\":10}"), 200);
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(RawHttp.concat(
                RawHttp.request("GET", "/v1/availability/PIPE2/WH-1", null, null, false),
                RawHttp.request("GET", "/v1/availability/PIPE2%20/WH-1", null, null, false),
                RawHttp.json("POST", RESERVE, reserve("pipe-2", line("PIPE2", "WH-1", "4"))),
                RawHttp.request("GET", "/v1/nowhere", null, null, false),
                RawHttp.json("POST", RESERVE, reserve("pipe-2", line("PIPE2", "WH-1", "4"))),
                RawHttp.json("POST", RESERVE, "{\"reservationId\":\"pipe-3\"}"),
                RawHttp.request("GET", "/v1/availability/PIPE2/WH-1", null, null, true)));

            final List<RawHttp.Response> answers = new ArrayList<>();
            for (int i = 0; i < 7; i++)
            {
                answers.add(raw.read());
            }

            assertThat(answers).extracting(RawHttp.Response::status).containsExactly(200, 400, 201, 404, 201, 400,
                200);
            assertThat(answers.get(0).json().path("available").asLong()).isEqualTo(10);
            assertThat(answers.get(1).json().path("message").asText()).contains("'sku'");
            assertThat(answers.get(2).json().path("reservationId").asText()).isEqualTo("pipe-2");
            assertThat(answers.get(3).json().path("error").asText()).isEqualTo(ErrorCode.NOT_FOUND.name());
            assertThat(answers.get(4).body()).isEqualTo(answers.get(2).body());
            assertThat(answers.get(5).json().path("message").asText()).contains("'lines'");
            assertThat(answers.get(6).json().path("available").asLong()).isEqualTo(6);
            assertThat(answers.get(6).header("Connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(http.get("/v1/reservations/pipe-3").status()).isEqualTo(404);
    }

    @Test
    void shouldAnswerOversizedBodyAfterTheAnswersPipelinedBeforeIt() throws Exception
    {
        final String before = state();
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(RawHttp.concat(
                RawHttp.request("GET", "/v1/availability/SKU-A", null, null, false),
                RawHttp.request("GET", "/v1/availability/SKU-B", null, null, false),
                RawHttp.request("GET", "/v1/reservations/held-1", null, null, false),
                RawHttp.request("PUT", STOCK_A, JSON, padded("{\"onHand\":1}", BODY_BYTES_MAX + 1), false)));

            final RawHttp.Response skuA = raw.read();
            final RawHttp.Response skuB = raw.read();
            final RawHttp.Response held = raw.read();
            final RawHttp.Response tooLarge = raw.read();

            assertThat(skuA.status()).as(skuA.text()).isEqualTo(200);
            assertThat(skuA.json().path("sku").asText()).isEqualTo("SKU-A");
            assertThat(skuB.status()).as(skuB.text()).isEqualTo(200);
            assertThat(skuB.json().path("sku").asText()).isEqualTo("SKU-B");
            assertThat(held.status()).as(held.text()).isEqualTo(200);
            assertThat(held.json().path("reservationId").asText()).isEqualTo("held-1");
            assertThat(tooLarge.status()).as(tooLarge.text()).isEqualTo(413);
            assertThat(tooLarge.json().path("error").asText()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE.name());
            assertThat(tooLarge.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByPeer()).isTrue();
        }
        assertThat(state()).isEqualTo(before);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Afterwards: nothing refused left a trace, and the node still serves.
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    @Order(Integer.MAX_VALUE)
    void shouldStayHealthyAndRememberNoRefusedRequest()
    {
        assertThat(state()).isEqualTo(seededState);
        assertThat(REFUSED_RESERVATION_IDS).hasSizeGreaterThan(25);
        assertThat(REFUSED_EVENT_IDS).hasSizeGreaterThan(5);
        assertThat(REFUSED_RETURN_IDS).hasSizeGreaterThan(5);
        for (final String id : REFUSED_RESERVATION_IDS)
        {
            final HttpJson.Answer answer = http.get("/v1/reservations/" + id);
            assertThat(answer.status()).as(id + ": " + answer.body()).isEqualTo(404);
            assertThat(answer.text("error")).isEqualTo(ErrorCode.RESERVATION_NOT_FOUND.name());
        }

        final HttpJson.Answer ready = http.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.text("status")).isEqualTo("READY");
        final HttpJson.Answer held = http.post(RESERVE, reserve("after-1", line("SKU-A", "WH-1", "3")));
        assertThat(held.status()).as(held.body()).isEqualTo(201);
        assertThat(held.text("status")).isEqualTo("HELD");
        assertThat(http.get("/v1/availability/SKU-A/WH-1").number("reserved")).isEqualTo(3);

        long onHand = 100;
        for (final String eventId : REFUSED_EVENT_IDS)
        {
            final HttpJson.Answer adjusted = http.post(ADJUST_A, "{\"eventId\":\"" + eventId + "\",\"delta\":1}");
            assertThat(adjusted.status()).as(eventId + ": " + adjusted.body()).isEqualTo(200);
            assertThat(adjusted.number("onHand")).as(eventId).isEqualTo(++onHand);
        }
        for (final String returnId : REFUSED_RETURN_IDS)
        {
            final HttpJson.Answer returned = http.post(RETURNS, returnBody(returnId, "SKU-A", "WH-1", "1",
                "\"RESTOCK\""));
            assertThat(returned.status()).as(returnId + ": " + returned.body()).isEqualTo(200);
            assertThat(returned.number("onHand")).as(returnId).isEqualTo(++onHand);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers.
    // ----------------------------------------------------------------------------------------------------------------

    /** Everything the refusals could have touched: the seeded keys (by sku, all locations) and the held reservation. */
    private static String state()
    {
        final StringBuilder state = new StringBuilder(512);
        for (final String path : List.of("/v1/availability/SKU-A", "/v1/availability/SKU-B",
            "/v1/reservations/held-1"))
        {
            final HttpJson.Answer answer = http.get(path);
            assertThat(answer.status()).as(path + ": " + answer.body()).isEqualTo(200);
            state.append(answer.body()).append('\n');
        }
        return state.toString();
    }

    private static void rememberRefusedId(final Carries carries, final String id)
    {
        switch (carries)
        {
            case RESERVATION_ID ->
            {
                final HttpJson.Answer answer = http.get("/v1/reservations/" + id);
                assertThat(answer.status()).as(id + ": " + answer.body()).isEqualTo(404);
                REFUSED_RESERVATION_IDS.add(id);
            }
            case EVENT_ID -> REFUSED_EVENT_IDS.add(id);
            case RETURN_ID -> REFUSED_RETURN_IDS.add(id);
            case NO_ID ->
            {
            }
        }
    }

    private static void expectStatus(final HttpJson.Answer answer, final int status)
    {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    }

    private static RawHttp.Response sendAlone(final byte[] request) throws Exception
    {
        try (RawHttp raw = new RawHttp(node.httpPort()))
        {
            raw.write(request);
            final RawHttp.Response answer = raw.read();
            assertThat(answer.header("Connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByPeer()).isTrue();
            return answer;
        }
    }

    private static byte[] padded(final String json, final int length)
    {
        final byte[] body = new byte[length];
        Arrays.fill(body, (byte)' ');
        final byte[] text = json.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, body, 0, text.length);
        return body;
    }

    private static byte[] chunk(final byte[] body, final int from, final int to)
    {
        final byte[] head = (Integer.toHexString(to - from) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        return RawHttp.concat(head, Arrays.copyOfRange(body, from, to),
            "\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static String location(final int i)
    {
        return String.format("L%03d", i);
    }

    private static String line(final String sku, final String location, final String quantity)
    {
        return "{\"sku\":\"" + sku + "\",\"location\":\"" + location + "\",\"quantity\":" + quantity + "}";
    }

    private static String reserve(final String id, final String lines)
    {
        return "{\"reservationId\":\"" + id + "\",\"lines\":[" + lines + "]}";
    }

    private static String reserveWithTtl(final String id, final String lines, final String ttlSeconds)
    {
        return "{\"reservationId\":\"" + id + "\",\"lines\":[" + lines + "],\"ttlSeconds\":" + ttlSeconds + "}";
    }

    /** A return body; a null argument leaves its field out, the quantity and disposition are raw JSON. */
    private static String returnBody(final String returnId, final String sku, final String location,
        final String quantity, final String disposition)
    {
        final List<String> fields = new ArrayList<>(5);
        if (returnId != null)
        {
            fields.add("\"returnId\":\"" + returnId + "\"");
        }
        if (sku != null)
        {
            fields.add("\"sku\":\"" + sku + "\"");
        }
        fields.add("\"location\":\"" + location + "\"");
        fields.add("\"quantity\":" + quantity);
        if (disposition != null)
        {
            fields.add("\"disposition\":" + disposition);
        }
        return "{" + String.join(",", fields) + "}";
    }

    private static Arguments named(final String name, final Refusal refusal)
    {
        return argumentSet(name, refusal);
    }

    private static Arguments refused(final String name, final String method, final String path, final String body,
        final String messagePart)
    {
        return named(name, new Refusal(method, path, JSON, body, ErrorCode.INVALID_REQUEST, messagePart,
            Carries.NO_ID, null));
    }

    private static Arguments invalid(final String name, final String method, final String path, final String body,
        final String field)
    {
        return refused(name, method, path, body, "'" + field + "'");
    }

    private static Arguments malformed(final String name, final String method, final String path, final String body)
    {
        return refused(name, method, path, body, "malformed JSON");
    }

    private static Arguments notAnObject(final String name, final String method, final String path,
        final String body)
    {
        return refused(name, method, path, body, "must be a JSON object");
    }

    private static Arguments notFound(final String name, final String method, final String path, final String body)
    {
        return named(name, new Refusal(method, path, JSON, body, ErrorCode.NOT_FOUND, "no such path", Carries.NO_ID,
            null));
    }

    private static Arguments unsupported(final String name, final String method, final String path,
        final String contentType, final String body, final Carries carries, final String id)
    {
        return named(name, new Refusal(method, path, contentType, body, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json", carries, id));
    }

    /** A refused POST carrying an id that must not be remembered; {@code messagePart} is matched as given. */
    private static Arguments carried(final String name, final String path, final Carries carries, final String id,
        final String body, final String messagePart)
    {
        return named(name, new Refusal("POST", path, JSON, body, ErrorCode.INVALID_REQUEST, messagePart, carries,
            id));
    }

    private static Arguments adjust(final String name, final String eventId, final String body, final String field)
    {
        return named(name, new Refusal("POST", ADJUST_A, JSON, body, ErrorCode.INVALID_REQUEST, "'" + field + "'",
            Carries.EVENT_ID, eventId));
    }

    private static Arguments reservation(final String name, final String reservationId, final String body,
        final String field)
    {
        return named(name, new Refusal("POST", RESERVE, JSON, body, ErrorCode.INVALID_REQUEST, "'" + field + "'",
            Carries.RESERVATION_ID, reservationId));
    }

    private static Arguments returned(final String name, final String returnId, final String quantity,
        final String disposition, final String field)
    {
        return named(name, new Refusal("POST", RETURNS, JSON, returnBody(returnId, "SKU-A", "WH-1", quantity,
            disposition), ErrorCode.INVALID_REQUEST, "'" + field + "'", Carries.RETURN_ID, returnId));
    }
}
