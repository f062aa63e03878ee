package io.stockgrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record is journaled whole the first time this member changes it, then only as changes: the member keeps the
 * live record between calls (OBJECT in-memory format), so a hot key does not re-journal its holds on every call.
 */
class FirstTouchSnapshotTest
{
    @Test
    void shouldJournalARecordWholeOnceThenOnlyItsChanges(@TempDir final Path dir) throws Exception
    {
        try (StockgridNode node = TestNode.start(dir))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            final long before = node.journal().keySnapshots();
            assertThat(http.put("/v1/stock/HOT/WH-1", "{\"onHand\":100}").status()).isEqualTo(200);
            for (int i = 0; i < 20; i++)
            {
                assertThat(http.post("/v1/reservations", "{\"reservationId\":\"ft-" + i + "\",\"ttlSeconds\":60,"
                    + "\"lines\":[{\"sku\":\"HOT\",\"location\":\"WH-1\",\"quantity\":1}]}").status())
                    .isEqualTo(201);
            }
            assertThat(node.journal().keySnapshots() - before).as("whole-record snapshots of HOT/WH-1")
                .isEqualTo(1);

            node.snapshotNow();
            assertThat(node.journal().keySnapshots() - before).as("plus one in the periodic snapshot")
                .isEqualTo(2);
        }
        // And the journal alone rebuilds it.
        try (StockgridNode node = TestNode.start(dir))
        {
            assertThat(new HttpJson(node.httpPort()).get("/v1/availability/HOT/WH-1").json().get("reserved").asLong())
                .isEqualTo(20);
        }
    }
}
