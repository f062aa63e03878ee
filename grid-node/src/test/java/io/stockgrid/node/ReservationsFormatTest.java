package io.stockgrid.node;

import io.stockgrid.api.Availability;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.grid.GridConfig;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reservation flow on both storage formats of {@code --reservations-format}: hold, reject, replay, commit,
 * release, expiry by the sweep (which finds due reservations through the index), and a restart from the journal.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReservationsFormatTest
{
    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"binary", "object"})
    void shouldRunTheReservationFlowAndRecoverIt(final String format) throws Exception
    {
        final NodeConfig config = TestNode.config(dataDir).set(Setting.RESERVATIONS_FORMAT, format).conclude();
        final Reservation first;
        try (StockgridNode node = StockgridNode.start(config);
            StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build())
        {
            assertThat(GridConfig.reservationsFormat(node.hazelcast().getConfig())).isEqualTo(format);
            client.setStock("F-1", "WH", 10);
            first = client.reserve("f-held", List.of(new ReservationLine("F-1", "WH", 4)));
            assertThat(first.status()).isEqualTo(ReservationStatus.HELD);
            assertThat(client.reserve("f-short", List.of(new ReservationLine("F-1", "WH", 7))).status())
                .isEqualTo(ReservationStatus.REJECTED);
            assertThat(client.reserve("f-held", List.of(new ReservationLine("F-1", "WH", 4))))
                .as("a retry answers as the first call").isEqualTo(first);
            assertThat(client.commit("f-held").status()).isEqualTo(ReservationStatus.COMMITTED);
            client.reserve("f-released", List.of(new ReservationLine("F-1", "WH", 2)));
            assertThat(client.release("f-released").status()).isEqualTo(ReservationStatus.RELEASED);
            assertThat(client.reserve("f-expiring", List.of(new ReservationLine("F-1", "WH", 5)), 1, null).status())
                .isEqualTo(ReservationStatus.HELD);
            assertThat(client.availability("F-1", "WH").reserved()).isEqualTo(5);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (client.reservation("f-expiring").status() != ReservationStatus.EXPIRED
                && System.nanoTime() - deadlineNs < 0)
            {
                Thread.sleep(50);
            }
            assertThat(client.reservation("f-expiring").status()).as("expired by the sweep")
                .isEqualTo(ReservationStatus.EXPIRED);
            assertThat(client.availability("F-1", "WH")).isEqualTo(new Availability("F-1", "WH", 6, 0, 0, 6));
        }
        try (StockgridNode node = StockgridNode.start(config);
            StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build())
        {
            assertThat(client.availability("F-1", "WH")).as("rebuilt from the journal")
                .isEqualTo(new Availability("F-1", "WH", 6, 0, 0, 6));
            assertThat(client.reservation("f-held").status()).isEqualTo(ReservationStatus.COMMITTED);
            assertThat(client.reservation("f-released").status()).isEqualTo(ReservationStatus.RELEASED);
            assertThat(client.reservation("f-expiring").status()).isEqualTo(ReservationStatus.EXPIRED);
            assertThat(client.reserve("f-held", List.of(new ReservationLine("F-1", "WH", 4))))
                .as("after the restart a retry still answers as the first call").isEqualTo(first);
        }
    }
}
