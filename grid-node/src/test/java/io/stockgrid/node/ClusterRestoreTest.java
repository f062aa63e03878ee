package io.stockgrid.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster of in-process nodes, each with its own journal, is scaled in and then stopped completely; started again
 * on the surviving data dirs, it holds exactly the state it had: records that moved between members are rebuilt
 * from whichever journal holds their newest version, and a node that left earlier contributes nothing stale.
 */
class ClusterRestoreTest
{
    private static final int KEYS = 60;

    @Test
    void shouldRebuildTheClusterFromEveryMembersJournalAfterScaleInAndFullStop(@TempDir final Path dir)
        throws Exception
    {
        final int[] memberPorts = {NodeProcess.freePort(), NodeProcess.freePort(), NodeProcess.freePort()};
        final String members = "127.0.0.1:" + memberPorts[0] + ",127.0.0.1:" + memberPorts[1] + ",127.0.0.1:"
            + memberPorts[2];
        final String cluster = "restore-" + System.nanoTime();
        final List<StockgridNode> nodes = new ArrayList<>(startAll(dir, cluster, members, memberPorts, 0, 1, 2));
        final Map<String, String> expectedStock = new HashMap<>();
        final Map<String, String> expectedReservations = new HashMap<>();
        try
        {
            HttpJson http = new HttpJson(nodes.get(0).httpPort());
            for (int i = 0; i < KEYS; i++)
            {
                assertThat(http.put("/v1/stock/R-" + i + "/WH-1", "{\"onHand\":10}").status()).isEqualTo(200);
            }
            // Reservations through every node: some held, some committed, some released.
            for (int i = 0; i < KEYS; i++)
            {
                final HttpJson via = new HttpJson(nodes.get(i % 3).httpPort());
                final String id = "r-" + i;
                assertThat(via.post("/v1/reservations", "{\"reservationId\":\"" + id + "\",\"ttlSeconds\":3600,"
                    + "\"lines\":[{\"sku\":\"R-" + i + "\",\"location\":\"WH-1\",\"quantity\":3}]}").status())
                    .isEqualTo(201);
                if (i % 3 == 1)
                {
                    assertThat(via.post("/v1/reservations/" + id + "/commit", "").status()).isEqualTo(200);
                }
                else if (i % 3 == 2)
                {
                    assertThat(via.post("/v1/reservations/" + id + "/release", "").status()).isEqualTo(200);
                }
            }

            // Scale in: the third node leaves gracefully; its records move to the other two, which journal them.
            nodes.remove(2).close();
            // The survivors snapshot what migrated to them about a second after it settles; only then does the
            // node that left leave their views (until then its journal may hold the only copy of those records).
            final String leftId = java.nio.file.Files.readString(dir.resolve("node-2").resolve("node.id")).trim();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (viewOf(dir, 0).contains(leftId) || viewOf(dir, 1).contains(leftId))
            {
                assertThat(System.nanoTime()).as("the node that left leaves the views").isLessThan(deadline);
                Thread.sleep(100);
            }

            // More changes after the scale-in, on records that moved and records that did not.
            http = new HttpJson(nodes.get(1).httpPort());
            for (int i = 0; i < KEYS; i += 2)
            {
                assertThat(http.post("/v1/stock/R-" + i + "/WH-1/adjustments",
                    "{\"eventId\":\"e-" + i + "\",\"delta\":5}").status()).isEqualTo(200);
            }
            for (int i = 0; i < KEYS; i++)
            {
                expectedStock.put("R-" + i, http.get("/v1/availability/R-" + i + "/WH-1").body());
                expectedReservations.put("r-" + i, http.get("/v1/reservations/r-" + i).body());
            }
        }
        finally
        {
            for (final StockgridNode node : nodes)
            {
                node.close();
            }
            nodes.clear();
        }

        // Full restart of the two that were members last; the node that left is not started.
        nodes.addAll(startAll(dir, cluster, members, memberPorts, 0, 1));
        try
        {
            for (final StockgridNode node : nodes)
            {
                final HttpJson http = new HttpJson(node.httpPort());
                for (int i = 0; i < KEYS; i++)
                {
                    assertThat(http.get("/v1/availability/R-" + i + "/WH-1").body()).as("stock R-%d", i)
                        .isEqualTo(expectedStock.get("R-" + i));
                    assertThat(http.get("/v1/reservations/r-" + i).body()).as("reservation r-%d", i)
                        .isEqualTo(expectedReservations.get("r-" + i));
                }
            }
            // The node that left earlier comes back with its old journal: the running cluster is the truth, so it
            // takes the cluster's state and drops its own journal; nothing it held comes back.
            final Path leftDir = dir.resolve("node-2");
            assertThat(io.stockgrid.ingest.JournalGenerations.existing(leftDir)).isNotEmpty();
            nodes.add(startAll(dir, cluster, members, memberPorts, 2).get(0));
            assertThat(io.stockgrid.ingest.JournalGenerations.existing(leftDir)).as("only its new generation")
                .hasSize(1);
            final HttpJson viaReturned = new HttpJson(nodes.get(2).httpPort());
            for (int i = 0; i < KEYS; i++)
            {
                assertThat(viaReturned.get("/v1/availability/R-" + i + "/WH-1").body()).as("stock R-%d", i)
                    .isEqualTo(expectedStock.get("R-" + i));
            }

            // And it goes on working: a new reservation holds.
            final HttpJson http = new HttpJson(nodes.get(0).httpPort());
            assertThat(http.post("/v1/reservations", "{\"reservationId\":\"after\",\"ttlSeconds\":60,"
                + "\"lines\":[{\"sku\":\"R-0\",\"location\":\"WH-1\",\"quantity\":1}]}").status()).isEqualTo(201);
        }
        finally
        {
            for (final StockgridNode node : nodes)
            {
                node.close();
            }
        }
    }

    private static String viewOf(final Path dir, final int node) throws java.io.IOException
    {
        return java.nio.file.Files.readString(dir.resolve("node-" + node).resolve("cluster-view"));
    }

    private static List<StockgridNode> startAll(final Path dir, final String cluster, final String members,
        final int[] memberPorts, final int... which) throws Exception
    {
        // start() waits for the cluster's minimum size and for every member's journal: start them together.
        final ExecutorService pool = Executors.newFixedThreadPool(which.length);
        try
        {
            final List<Future<StockgridNode>> futures = new ArrayList<>();
            for (final int i : which)
            {
                futures.add(pool.submit(() -> StockgridNode.start(TestNode.config(dir.resolve("node-" + i))
                    .set(Setting.CLUSTER_NAME, cluster)
                    .set(Setting.MEMBER_PORT, Integer.toString(memberPorts[i]))
                    .set(Setting.MEMBERS, members)
                    .set(Setting.MIN_CLUSTER_SIZE, "2")
                    .conclude())));
            }
            final List<StockgridNode> started = new ArrayList<>();
            for (final Future<StockgridNode> f : futures)
            {
                started.add(f.get(90, TimeUnit.SECONDS));
            }
            return started;
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
