package io.stockgrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmokeTest
{
    @TempDir
    Path dataDir;

    @Test
    void shouldHoldAndCommitOverHttp() throws Exception
    {
        try (StockgridNode node = TestNode.start(dataDir))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            assertThat(http.put("/v1/stock/S1/L1", "{\"onHand\":5}").status()).isEqualTo(200);
            final HttpJson.Answer held = http.post("/v1/reservations",
                "{\"reservationId\":\"r1\",\"lines\":[{\"sku\":\"S1\",\"location\":\"L1\",\"quantity\":2}]}");
            assertThat(held.status()).isEqualTo(201);
            assertThat(held.text("status")).isEqualTo("HELD");
            assertThat(http.get("/v1/availability/S1/L1").number("available")).isEqualTo(3);
            assertThat(http.post("/v1/reservations/r1/commit", "").status()).isEqualTo(200);
            final HttpJson.Answer after = http.get("/v1/availability/S1/L1");
            assertThat(after.number("onHand")).isEqualTo(3);
            assertThat(after.number("reserved")).isZero();
        }
    }
}
