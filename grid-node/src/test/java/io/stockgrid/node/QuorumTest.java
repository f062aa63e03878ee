package io.stockgrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A member that sees fewer members than --min-cluster-size refuses mutations, changes nothing, and still reads. */
class QuorumTest
{
    @Test
    void shouldRefuseMutationsButAnswerReadsWithoutAQuorum(@TempDir final Path dir) throws Exception
    {
        final int[] ports = {NodeProcess.freePort(), NodeProcess.freePort()};
        final String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        final String cluster = "quorum-" + System.nanoTime();
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        final Future<StockgridNode> a = pool.submit(() -> start(dir, 0, ports, members, cluster));
        final Future<StockgridNode> b = pool.submit(() -> start(dir, 1, ports, members, cluster));
        pool.shutdown();
        try (StockgridNode survivor = a.get(90, TimeUnit.SECONDS))
        {
            final HttpJson http = new HttpJson(survivor.httpPort());
            try (StockgridNode leaving = b.get(90, TimeUnit.SECONDS))
            {
                assertThat(http.put("/v1/stock/Q-1/WH-1", "{\"onHand\":5}").status()).isEqualTo(200);
                assertThat(http.post("/v1/reservations", "{\"reservationId\":\"q-1\",\"ttlSeconds\":600,"
                    + "\"lines\":[{\"sku\":\"Q-1\",\"location\":\"WH-1\",\"quantity\":2}]}").status()).isEqualTo(201);
                assertThat(http.get("/health/ready").status()).isEqualTo(200);
            }

            // Alone now, once the survivor has seen the other leave: below the minimum of 2.
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (survivor.hazelcast().getCluster().getMembers().size() > 1 && System.nanoTime() < deadline)
            {
                Thread.sleep(50);
            }
            assertThat(survivor.hazelcast().getCluster().getMembers()).hasSize(1);
            final HttpJson.Answer put = http.put("/v1/stock/Q-1/WH-1", "{\"onHand\":50}");
            assertThat(put.status()).isEqualTo(503);
            assertThat(put.text("error")).isEqualTo("NO_QUORUM");
            assertThat(put.raw().headers().firstValue("Retry-After")).contains("1");
            final HttpJson.Answer reserve = http.post("/v1/reservations", "{\"reservationId\":\"q-2\","
                + "\"ttlSeconds\":600,\"lines\":[{\"sku\":\"Q-1\",\"location\":\"WH-1\",\"quantity\":1}]}");
            assertThat(reserve.status()).isEqualTo(503);
            assertThat(reserve.text("error")).isEqualTo("NO_QUORUM");
            assertThat(http.post("/v1/reservations/q-1/commit", "").text("error")).isEqualTo("NO_QUORUM");

            final HttpJson.Answer availability = http.get("/v1/availability/Q-1/WH-1");
            assertThat(availability.status()).as("reads still answer").isEqualTo(200);
            assertThat(availability.number("onHand")).as("nothing changed").isEqualTo(5);
            assertThat(availability.number("reserved")).isEqualTo(2);
            assertThat(http.get("/v1/availability/Q-1").status()).isEqualTo(200);
            assertThat(http.get("/v1/reservations/q-1").text("status")).isEqualTo("HELD");
            assertThat(http.get("/v1/reservations/q-2").status()).as("the refused reserve left nothing")
                .isEqualTo(404);
            final HttpJson.Answer ready = http.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.text("status")).isEqualTo("NO_QUORUM");
        }
    }

    private static StockgridNode start(final Path dir, final int i, final int[] ports, final String members,
        final String cluster) throws Exception
    {
        return StockgridNode.start(TestNode.config(dir.resolve("node-" + i))
            .set(Setting.CLUSTER_NAME, cluster)
            .set(Setting.MEMBER_PORT, Integer.toString(ports[i]))
            .set(Setting.MEMBERS, members)
            .set(Setting.MIN_CLUSTER_SIZE, "2")
            .conclude());
    }
}
