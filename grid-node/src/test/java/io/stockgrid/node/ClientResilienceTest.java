package io.stockgrid.node;

import io.stockgrid.api.Availability;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client when the network misbehaves, through a {@link FrameProxy} in front of a real node: an answer lost (the
 * call times out and is retried with the same id, and holds exactly once), the connection cut with a call in flight
 * (reconnect, retry, exactly once), the connection cut between calls (reconnect), and a call that may not be retried.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientResilienceTest
{
    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);

    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private FrameProxy proxy;
    private StockgridClient client;

    @BeforeAll
    static void startNode() throws Exception
    {
        node = TestNode.start(dataDir);
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
    void connectThroughProxy() throws Exception
    {
        proxy = new FrameProxy(node.binaryPort());
        client = StockgridClient.builder().address("127.0.0.1", proxy.port()).requestTimeout(REQUEST_TIMEOUT)
            .maxRetries(2).build();
    }

    @AfterEach
    void close() throws Exception
    {
        client.close();
        proxy.close();
    }

    @Test
    void shouldRetryATimedOutReservationWithTheSameIdAndHoldItExactlyOnce()
    {
        client.setStock("R-SKU-1", "WH-1", 10);
        proxy.dropAnswers(MessageType.RESERVATION, 1);

        final long startNs = System.nanoTime();
        final Reservation held = client.reserve("r-order-1", List.of(new ReservationLine("R-SKU-1", "WH-1", 3)));

        assertThat(proxy.answersDropped()).as("the first answer was lost").isEqualTo(1);
        assertThat(System.nanoTime() - startNs).as("answered by the retry, after the first attempt timed out")
            .isGreaterThanOrEqualTo(REQUEST_TIMEOUT.toNanos());
        assertThat(held.status()).isEqualTo(ReservationStatus.HELD);
        assertThat(client.availability("R-SKU-1", "WH-1")).as("held once, not twice")
            .isEqualTo(new Availability("R-SKU-1", "WH-1", 10, 0, 3, 7));
    }

    @Test
    void shouldReconnectAndRetryWhenTheConnectionIsLostWithACallInFlight()
    {
        client.setStock("R-SKU-2", "WH-1", 10);
        proxy.killConnectionAfterRequest(MessageType.RESERVE);

        final Reservation held = client.reserve("r-order-2", List.of(new ReservationLine("R-SKU-2", "WH-1", 4)));

        assertThat(held.status()).isEqualTo(ReservationStatus.HELD);
        assertThat(proxy.connectionsAccepted()).as("a new connection").isEqualTo(2);
        assertThat(client.availability("R-SKU-2", "WH-1").reserved()).as("held once").isEqualTo(4);
        assertThat(client.commit("r-order-2").status()).isEqualTo(ReservationStatus.COMMITTED);
    }

    @Test
    void shouldReconnectAfterTheConnectionIsClosedBetweenCalls() throws Exception
    {
        client.setStock("R-SKU-3", "WH-1", 5);
        proxy.killConnections();

        assertThat(client.availability("R-SKU-3", "WH-1").onHand()).isEqualTo(5);
        assertThat(proxy.connectionsAccepted()).isEqualTo(2);
        proxy.killConnections();
        Thread.sleep(100);
        assertThat(client.adjust("R-SKU-3", "WH-1", "r-evt-1", 1, null).onHand()).isEqualTo(6);
        assertThat(proxy.connectionsAccepted()).isEqualTo(3);
    }

    @Test
    void shouldNotRetryASetStockWhoseOutcomeIsUnknown()
    {
        client.setStock("R-SKU-4", "WH-1", 5);
        proxy.dropAnswers(MessageType.AVAILABILITY, 1);

        assertThatThrownBy(() -> client.setStock("R-SKU-4", "WH-1", 6))
            .isInstanceOfSatisfying(StockgridException.class, ex ->
            {
                assertThat(ex.kind()).isEqualTo(StockgridException.Kind.TIMEOUT);
                assertThat(ex.isRetryable()).isTrue();
                assertThat(ex.getMessage()).contains("on 1 attempt(s)");
            });
        assertThat(client.availability("R-SKU-4", "WH-1").onHand()).as("it was applied; only the answer was lost")
            .isEqualTo(6);
    }

    @Test
    void shouldGiveUpAfterTheBoundedRetries()
    {
        client.setStock("R-SKU-5", "WH-1", 5);
        proxy.dropAnswers(MessageType.AVAILABILITY, 3);

        assertThatThrownBy(() -> client.availability("R-SKU-5", "WH-1"))
            .isInstanceOfSatisfying(StockgridException.class, ex ->
            {
                assertThat(ex.kind()).isEqualTo(StockgridException.Kind.TIMEOUT);
                assertThat(ex.getMessage()).contains("on 3 attempt(s)");
            });
        assertThat(proxy.answersDropped()).isEqualTo(3);
        assertThat(client.availability("R-SKU-5", "WH-1").onHand()).isEqualTo(5);
    }

    /**
     * The node itself goes away (closing every connection) and comes back on the same port and data dir: the client
     * reconnects on its own, and a retry of a reservation made before the restart gets the first answer, rebuilt from
     * the journal, without holding twice.
     */
    @Test
    void shouldReconnectWhenTheNodeRestartsAndAnswerARetryFromTheJournal(@TempDir final Path restartDir)
        throws Exception
    {
        final int port = NodeProcess.freePort();
        final List<ReservationLine> lines = List.of(new ReservationLine("N-SKU-1", "WH-1", 2));
        final StockgridNode first = StockgridNode.start(TestNode.config(restartDir)
            .set(Setting.BINARY_PORT, Integer.toString(port)).conclude());
        final Reservation held;
        // A reconnect can land on the first node's socket while it shuts down, and then waits for a HELLO_OK that
        // never comes until the connect timeout closes it: keep that wait short, and allow the retries to outlast
        // a restart on a cold JVM (they reuse the same id, which is what this test is about).
        try (StockgridClient direct = StockgridClient.builder().address("127.0.0.1", port)
            .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(2)).maxRetries(10).build())
        {
            try
            {
                direct.setStock("N-SKU-1", "WH-1", 5);
                held = direct.reserve("n-order-1", lines, 600, null);
            }
            finally
            {
                first.close();
            }
            try (StockgridNode second = StockgridNode.start(TestNode.config(restartDir)
                .set(Setting.BINARY_PORT, Integer.toString(port)).conclude()))
            {
                assertThat(direct.reserve("n-order-1", lines, 600, null)).isEqualTo(held);
                assertThat(direct.availability("N-SKU-1", "WH-1").reserved()).as("held once").isEqualTo(2);
                assertThat(second.binaryPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void shouldRefuseToBuildWhenNoNodeAnswers() throws Exception
    {
        final int unused;
        try (ServerSocket socket = new ServerSocket(0))
        {
            unused = socket.getLocalPort();
        }
        assertThatThrownBy(() -> StockgridClient.builder().address("127.0.0.1", unused)
            .connectTimeout(Duration.ofMillis(500)).build())
            .isInstanceOfSatisfying(StockgridException.class, ex ->
                assertThat(ex.kind()).isEqualTo(StockgridException.Kind.CONNECTION))
            .hasMessageContaining("could not connect to 127.0.0.1:" + unused);
    }
}
