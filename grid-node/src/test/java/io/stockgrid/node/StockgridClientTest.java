package io.stockgrid.node;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.ShortLine;
import io.netty.channel.epoll.Epoll;
import io.stockgrid.api.client.ClientEventLoops;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;
import io.stockgrid.api.transport.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Java client against a real node on loopback: every operation and its refusals, and the binary and HTTP doors
 * agreeing about the same reservations (same status, same lines, same expiry, same error codes and messages), since
 * both go through the same pipeline, journal and idempotency.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StockgridClientTest
{
    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static StockgridClient client;
    private static HttpJson http;

    @BeforeAll
    static void startNode() throws Exception
    {
        node = TestNode.start(dataDir);
        http = new HttpJson(node.httpPort());
        client = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build();
    }

    @AfterAll
    static void stopNode()
    {
        if (client != null)
        {
            client.close();
        }
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldSetAdjustReturnAndReadStock()
    {
        assertThat(client.setStock("C-SKU-1", "WH-1", 100, 5))
            .isEqualTo(new Availability("C-SKU-1", "WH-1", 100, 5, 0, 95));
        assertThat(client.setStock("C-SKU-1", "WH-1", 90)).isEqualTo(new Availability("C-SKU-1", "WH-1", 90, 5, 0, 85));
        assertThat(client.adjust("C-SKU-1", "WH-1", "erp-1", -10, "cycle count").onHand()).isEqualTo(80);
        assertThat(client.adjust("C-SKU-1", "WH-1", "erp-1", -10, null).onHand())
            .as("a repeated eventId changes nothing and answers the current availability").isEqualTo(80);
        assertThat(client.acceptReturn("rma-1", "C-SKU-1", "WH-1", 3, ReturnDisposition.RESTOCK).onHand())
            .isEqualTo(83);
        assertThat(client.acceptReturn("rma-2", "C-SKU-1", "WH-1", 3, ReturnDisposition.DAMAGED).onHand())
            .isEqualTo(83);
        assertThat(client.availability("C-SKU-1", "WH-1")).isEqualTo(new Availability("C-SKU-1", "WH-1", 83, 5, 0, 78));
        assertThat(client.availability("C-NEVER", "WH-1")).isEqualTo(Availability.empty("C-NEVER", "WH-1"));
    }

    @Test
    void shouldAnswerStockRefusalsWithTheHttpErrorCodes()
    {
        client.setStock("C-SKU-2", "WH-1", 5);
        assertAnswered(() -> client.adjust("C-SKU-2", "WH-1", "erp-neg", -6, null), ErrorCode.NEGATIVE_STOCK,
            "the change would make onHand negative (onHand is 5); nothing applied");
        client.adjust("C-SKU-2", "WH-1", "erp-2", 1, null);
        assertAnswered(() -> client.adjust("C-SKU-2", "WH-1", "erp-2", 2, null), ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this id was already used for a different change; nothing applied");
        assertAnswered(() -> client.adjust("C-SKU-2", "WH-1", "erp-big", 1_000_000_000, null),
            ErrorCode.STOCK_LIMIT_EXCEEDED, "above 1000000000 (onHand is 6)");
    }

    @Test
    void shouldHoldCommitReleaseAndReadReservations()
    {
        client.setStock("C-SKU-3", "WH-1", 10);
        client.setStock("C-SKU-4", "WH-1", 10);
        final List<ReservationLine> lines = List.of(new ReservationLine("C-SKU-3", "WH-1", 2),
            new ReservationLine("C-SKU-4", "WH-1", 3));

        final Reservation held = client.reserve("c-order-1", lines, 600, "corr-1");
        assertThat(held.status()).isEqualTo(ReservationStatus.HELD);
        assertThat(held.lines()).containsExactlyElementsOf(lines);
        assertThat(held.shortLines()).isEmpty();
        assertThat(held.expiresAt()).isAfter(Instant.now().plusSeconds(590));
        assertThat(client.reserve("c-order-1", List.of(lines.get(1), lines.get(0)), 600, "corr-retry"))
            .as("a retry, lines in another order, another correlation id: the first answer").isEqualTo(held);
        assertThat(client.availability("C-SKU-3", "WH-1").reserved()).isEqualTo(2);
        assertThat(client.reservation("c-order-1")).isEqualTo(held);

        final Reservation committed = client.commit("c-order-1");
        assertThat(committed.status()).isEqualTo(ReservationStatus.COMMITTED);
        assertThat(client.commit("c-order-1")).as("a repeated commit answers the same").isEqualTo(committed);
        assertThat(client.availability("C-SKU-3", "WH-1")).isEqualTo(new Availability("C-SKU-3", "WH-1", 8, 0, 0, 8));
        final StockgridException notHeld = assertAnswered(() -> client.release("c-order-1"),
            ErrorCode.RESERVATION_NOT_HELD, "reservation c-order-1 is COMMITTED");
        assertThat(notHeld.status()).isEqualTo(ReservationStatus.COMMITTED);
        assertThat(client.reserve("c-order-1", lines, 600, null).status())
            .as("the first answer, even after the commit").isEqualTo(ReservationStatus.HELD);

        client.reserve("c-order-2", List.of(new ReservationLine("C-SKU-3", "WH-1", 1)));
        assertThat(client.release("c-order-2").status()).isEqualTo(ReservationStatus.RELEASED);
        assertThat(client.availability("C-SKU-3", "WH-1").reserved()).isZero();
    }

    @Test
    void shouldAnswerARejectedReservationWithItsShortLinesNotAnException()
    {
        client.setStock("C-SKU-5", "WH-1", 1);
        client.setStock("C-SKU-6", "WH-1", 9);
        final Reservation rejected = client.reserve("c-order-3", List.of(new ReservationLine("C-SKU-6", "WH-1", 2),
            new ReservationLine("C-SKU-5", "WH-1", 2)));

        assertThat(rejected.status()).isEqualTo(ReservationStatus.REJECTED);
        assertThat(rejected.shortLines()).containsExactly(new ShortLine("C-SKU-5", "WH-1", 2, 1));
        assertThat(client.availability("C-SKU-6", "WH-1").reserved()).as("all or nothing").isZero();
        assertAnswered(() -> client.commit("c-order-3"), ErrorCode.RESERVATION_NOT_HELD, "is REJECTED");
        assertAnswered(() -> client.reserve("c-order-3", List.of(new ReservationLine("C-SKU-6", "WH-1", 1))),
            ErrorCode.IDEMPOTENCY_KEY_REUSED, "reservationId was already used for a different request");
        assertAnswered(() -> client.reservation("c-unknown"), ErrorCode.RESERVATION_NOT_FOUND,
            "no reservation c-unknown");
        assertAnswered(() -> client.commit("c-unknown"), ErrorCode.RESERVATION_NOT_FOUND, "no reservation c-unknown");
    }

    @Test
    void shouldRefuseInvalidArgumentsWithTheNodesWordsBeforeSendingAnything()
    {
        assertThatThrownBy(() -> client.setStock("bad sku", "WH-1", 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("field 'sku' must be 1..64 chars of [A-Za-z0-9._-]");
        assertThatThrownBy(() -> client.reserve("r", List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("field 'lines' must have 1..100 entries, has 0");
        assertThatThrownBy(() -> client.reserve("r", List.of(new ReservationLine("A", "B", 1),
            new ReservationLine("A", "B", 2)))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("field 'lines[1]' repeats sku A at location B");
        assertThatThrownBy(() -> client.reserve("r", List.of(new ReservationLine("A", "B", 1)), 86_401, null))
            .hasMessage("field 'ttlSeconds' must be in 1..86400, was 86401");
        assertThatThrownBy(() -> client.adjust("A", "B", "e", 0, null)).hasMessage("field 'delta' must not be 0");
        assertThatThrownBy(() -> client.acceptReturn("x", "A", "B", 1, null))
            .hasMessageContaining("field 'disposition' must be 1 (RESTOCK) or 2 (DAMAGED)");
        assertThatThrownBy(() -> client.commit("r\u00e9")).hasMessageContaining("field 'reservationId'");
        assertThatThrownBy(() -> client.reservation("c-never-sent"))
            .isInstanceOf(StockgridException.class);
    }

    /**
     * 400 calls outstanding at once on one connection, more than the node's per-connection window (256): the client
     * holds the rest until answers come back, and every answer finds its call by request id, in whatever order.
     */
    @Test
    void shouldAnswerManyPipelinedCallsEachWithItsOwnAnswer()
    {
        try (StockgridClient wide = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).maxInFlight(1024)
            .build())
        {
            pipeline(wide);
        }
    }

    private static void pipeline(final StockgridClient client)
    {
        final int keys = 200;
        final List<CompletableFuture<Availability>> stock = new ArrayList<>();
        for (int i = 0; i < keys; i++)
        {
            stock.add(client.setStockAsync("P-" + i, "WH-1", i + 1));
        }
        for (int i = 0; i < keys; i++)
        {
            assertThat(stock.get(i).join()).isEqualTo(new Availability("P-" + i, "WH-1", i + 1, 0, 0, i + 1));
        }
        final List<CompletableFuture<Reservation>> reservations = new ArrayList<>();
        final List<CompletableFuture<Availability>> reads = new ArrayList<>();
        for (int i = 0; i < keys; i++)
        {
            reservations.add(client.reserveAsync("p-" + i, List.of(new ReservationLine("P-" + i, "WH-1", i + 1))));
            reads.add(client.availabilityAsync("P-" + ((i + 7) % keys), "WH-1"));
        }
        for (int i = 0; i < keys; i++)
        {
            final Reservation r = reservations.get(i).join();
            assertThat(r.reservationId()).isEqualTo("p-" + i);
            assertThat(r.status()).isEqualTo(ReservationStatus.HELD);
            assertThat(r.lines()).containsExactly(new ReservationLine("P-" + i, "WH-1", i + 1));
            assertThat(reads.get(i).join().sku()).isEqualTo("P-" + ((i + 7) % keys));
        }
        for (int i = 0; i < keys; i++)
        {
            assertThat(client.availability("P-" + i, "WH-1").available()).isZero();
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The two doors never disagree
    // ----------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerAReservationRetriedOverHttpAsItWasAnsweredOverBinary()
    {
        client.setStock("D-SKU-1", "WH-1", 10);
        final Reservation held = client.reserve("d-order-1", List.of(new ReservationLine("D-SKU-1", "WH-1", 4)), 300,
            null);

        final HttpJson.Answer retry = http.post("/v1/reservations",
            "{\"reservationId\":\"d-order-1\",\"ttlSeconds\":300,"
            + "\"lines\":[{\"sku\":\"D-SKU-1\",\"location\":\"WH-1\",\"quantity\":4}]}");
        assertThat(retry.status()).isEqualTo(201);
        assertSameReservation(retry, held);
        assertSameReservation(http.get("/v1/reservations/d-order-1"), client.reservation("d-order-1"));
        assertThat(http.get("/v1/availability/D-SKU-1/WH-1").number("reserved")).as("held once").isEqualTo(4);

        // Without ttlSeconds HTTP means 900: a different body, refused the same way by both doors.
        final HttpJson.Answer reuse = http.post("/v1/reservations", "{\"reservationId\":\"d-order-1\","
            + "\"lines\":[{\"sku\":\"D-SKU-1\",\"location\":\"WH-1\",\"quantity\":4}]}");
        assertThat(reuse.status()).isEqualTo(422);
        assertAnswered(() -> client.reserve("d-order-1", List.of(new ReservationLine("D-SKU-1", "WH-1", 4))),
            ErrorCode.IDEMPOTENCY_KEY_REUSED, reuse.text("message"));
    }

    @Test
    void shouldAnswerAReservationRetriedOverBinaryAsItWasAnsweredOverHttp()
    {
        client.setStock("D-SKU-2", "WH-1", 1);
        final HttpJson.Answer first = http.post("/v1/reservations", "{\"reservationId\":\"d-order-2\","
            + "\"lines\":[{\"sku\":\"D-SKU-2\",\"location\":\"WH-1\",\"quantity\":3}]}");
        assertThat(first.status()).isEqualTo(409);

        final Reservation retry = client.reserve("d-order-2", List.of(new ReservationLine("D-SKU-2", "WH-1", 3)));
        assertThat(retry.status()).isEqualTo(ReservationStatus.REJECTED);
        assertThat(first.text("status")).isEqualTo("REJECTED");
        assertThat(first.json().path("lines")).hasSize(1);
        assertThat(retry.shortLines()).containsExactly(new ShortLine("D-SKU-2", "WH-1",
            first.json().path("lines").get(0).path("quantity").asLong(),
            first.json().path("lines").get(0).path("available").asLong()));
    }

    @Test
    void shouldAgreeOnSettlementsMadeThroughEitherDoor()
    {
        client.setStock("D-SKU-3", "WH-1", 10);
        client.reserve("d-order-3", List.of(new ReservationLine("D-SKU-3", "WH-1", 1)));
        assertThat(http.post("/v1/reservations/d-order-3/commit", "").status()).isEqualTo(200);
        assertThat(client.commit("d-order-3").status()).as("the repeat through the other door")
            .isEqualTo(ReservationStatus.COMMITTED);
        final HttpJson.Answer httpRelease = http.post("/v1/reservations/d-order-3/release", "");
        assertThat(httpRelease.status()).isEqualTo(409);
        final StockgridException binaryRelease = assertAnswered(() -> client.release("d-order-3"),
            ErrorCode.RESERVATION_NOT_HELD, httpRelease.text("message"));
        assertThat(binaryRelease.status().name()).isEqualTo(httpRelease.text("status"));
        assertSameReservation(http.get("/v1/reservations/d-order-3"), client.reservation("d-order-3"));

        final HttpJson.Answer missing = http.get("/v1/reservations/d-nope");
        assertThat(missing.status()).isEqualTo(404);
        assertAnswered(() -> client.reservation("d-nope"), ErrorCode.valueOf(missing.text("error")),
            missing.text("message"));
    }

    @Test
    void shouldRefuseTheSameBadValuesAsHttpWithTheSameWords()
    {
        final HttpJson.Answer httpRefusal = http.post("/v1/reservations", "{\"reservationId\":\"d-bad\","
            + "\"lines\":[{\"sku\":\"A\",\"location\":\"B\",\"quantity\":1000001}]}");
        assertThat(httpRefusal.status()).isEqualTo(400);
        assertThatThrownBy(() -> client.reserve("d-bad", List.of(new ReservationLine("A", "B", 1_000_001))))
            .isInstanceOf(IllegalArgumentException.class).hasMessage(httpRefusal.text("message"));
    }

    @Test
    void shouldCheckEveryBuilderSettingNamingIt()
    {
        assertThatThrownBy(() -> StockgridClient.builder().address(" ", 1).build()).hasMessageContaining("host");
        assertThatThrownBy(() -> StockgridClient.builder().address("127.0.0.1", 0).build())
            .hasMessage("address port must be in 1..65535: 0");
        assertThatThrownBy(() -> StockgridClient.builder().requestTimeout(Duration.ZERO).build())
            .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> StockgridClient.builder().maxInFlight(0).build())
            .hasMessage("maxInFlight must be in 1..65536: 0");
        assertThatThrownBy(() -> StockgridClient.builder().maxRetries(11).build())
            .hasMessage("maxRetries must be in 0..10: 11");
        assertThatThrownBy(() -> StockgridClient.builder().maxFrameBytes(100).build())
            .hasMessageContaining("maxFrameBytes");
    }

    /**
     * Several clients on shared I/O threads, on each transport: each keeps working when another closes, and the
     * threads stop only with the shared loops.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void shouldShareIoThreadsBetweenClients(final Transport transport)
    {
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "epoll is not available here");
        final String sku = "C-LOOPS-" + transport;
        final List<StockgridClient> clients = new ArrayList<>();
        try (ClientEventLoops loops = ClientEventLoops.create(2, transport))
        {
            for (int i = 0; i < 3; i++)
            {
                clients.add(StockgridClient.builder().address("127.0.0.1", node.binaryPort()).eventLoops(loops)
                    .build());
            }
            assertThat(clients.get(0).setStock(sku, "WH-1", 10).available()).isEqualTo(10);
            assertThat(clients.get(1).reserve(sku + "-r1", List.of(new ReservationLine(sku, "WH-1", 3))).status())
                .isEqualTo(ReservationStatus.HELD);
            clients.get(0).close();
            assertThat(clients.get(1).availability(sku, "WH-1").reserved())
                .as("a client closing leaves the shared threads to the others").isEqualTo(3);
            assertThat(clients.get(2).commit(sku + "-r1").status()).isEqualTo(ReservationStatus.COMMITTED);
            assertThat(clients.get(2).availability(sku, "WH-1")).isEqualTo(new Availability(sku, "WH-1", 7, 0, 0, 7));
            clients.get(1).close();
        }
        final StockgridException closed =
            (StockgridException)catchThrowable(() -> clients.get(2).availability(sku, "WH-1"));
        assertThat(closed.kind()).as("the shared threads stopped under an open client").isIn(
            StockgridException.Kind.CLOSED, StockgridException.Kind.CONNECTION, StockgridException.Kind.TIMEOUT);
        clients.get(2).close();
    }

    @Test
    void shouldFailCallsOnAClosedClient()
    {
        final StockgridClient other = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build();
        other.close();
        final StockgridException closed = (StockgridException)catchThrowable(() -> other.availability("A", "B"));
        assertThat(closed.kind()).isEqualTo(StockgridException.Kind.CLOSED);
    }

    private static Throwable catchThrowable(final Runnable call)
    {
        try
        {
            call.run();
        }
        catch (final RuntimeException ex)
        {
            return ex;
        }
        throw new AssertionError("expected an exception");
    }

    static StockgridException assertAnswered(final Runnable call, final ErrorCode code, final String messagePart)
    {
        final Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(StockgridException.class);
        final StockgridException ex = (StockgridException)thrown;
        assertThat(ex.kind()).isEqualTo(StockgridException.Kind.ERROR_ANSWER);
        assertThat(ex.errorCode()).isEqualTo(code);
        assertThat(ex.getMessage()).contains(messagePart);
        return ex;
    }

    private static void assertSameReservation(final HttpJson.Answer answer, final Reservation reservation)
    {
        assertThat(answer.text("reservationId")).isEqualTo(reservation.reservationId());
        assertThat(answer.text("status")).isEqualTo(reservation.status().name());
        assertThat(Instant.parse(answer.text("expiresAt"))).isEqualTo(reservation.expiresAt());
        final List<ReservationLine> lines = new ArrayList<>();
        answer.json().path("lines").forEach(l -> lines.add(new ReservationLine(l.path("sku").asText(),
            l.path("location").asText(), l.path("quantity").asLong())));
        assertThat(lines).isEqualTo(reservation.lines());
    }
}
