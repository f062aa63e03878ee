package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin routes against real nodes: {@code GET /admin/cluster} for one node and for a two-member cluster (each
 * member's partitions, its published HTTP port, the quorum), and {@code POST /admin/drain}, which runs the node's
 * drain action once however often it is asked and, by default, stops the node as SIGTERM does.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdminRoutesTest
{
    private static final int PARTITIONS = 17;

    @TempDir
    Path dir;

    @Test
    void shouldDescribeASingleNodeCluster() throws Exception
    {
        try (StockgridNode node = TestNode.start(dir.resolve("single")))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            final JsonNode view = poll(Duration.ofSeconds(30), () -> http.get("/admin/cluster").json(),
                v -> v.path("clusterSafe").asBoolean() && v.path("members").path(0).has("httpPort"));

            assertThat(view.path("clusterName").asText()).startsWith("test-");
            assertThat(view.path("partitionCount").asInt()).isEqualTo(PARTITIONS);
            assertThat(view.path("ready").asBoolean()).isTrue();
            assertThat(view.path("draining").asBoolean()).isFalse();
            assertThat(view.path("quorum").path("size").asInt()).isEqualTo(1);
            assertThat(view.path("quorum").path("min").asInt()).isEqualTo(1);
            assertThat(view.path("quorum").path("present").asBoolean()).isTrue();
            assertThat(view.path("unownedPartitions")).isEmpty();
            final JsonNode member = view.path("members").path(0);
            assertThat(view.path("members")).hasSize(1);
            assertThat(member.path("uuid").asText()).isEqualTo(view.path("localMember").asText())
                .isEqualTo(node.hazelcast().getCluster().getLocalMember().getUuid().toString());
            assertThat(member.path("local").asBoolean()).isTrue();
            assertThat(member.path("httpPort").asInt()).isEqualTo(node.httpPort());
            assertThat(member.path("ownedPartitions").asInt()).isEqualTo(PARTITIONS);
            assertThat(member.path("partitions")).hasSize(PARTITIONS);
            assertThat(member.path("address").asText()).matches("127\\.0\\.0\\.1:\\d+");
        }
    }

    @Test
    void shouldShowBothMembersAndWhoOwnsWhatInATwoMemberCluster() throws Exception
    {
        // Both members join by TCP-IP (Hazelcast refuses a joiner whose join method differs from the cluster's).
        final NodeConfig firstConfig = TestNode.config(dir.resolve("a")).set(Setting.MEMBER_PORT, "15801")
            .set(Setting.MEMBERS, "127.0.0.1:15801");
        try (StockgridNode first = StockgridNode.start(firstConfig.conclude()))
        {
            final String firstAddress = "127.0.0.1:" + first.hazelcast().getCluster().getLocalMember().getAddress()
                .getPort();
            final NodeConfig secondConfig = TestNode.config(dir.resolve("b"))
                .set(Setting.CLUSTER_NAME, firstConfig.get(Setting.CLUSTER_NAME))
                .set(Setting.MEMBER_PORT, "15851")
                .set(Setting.MEMBERS, firstAddress);
            try (StockgridNode second = StockgridNode.start(secondConfig.conclude()))
            {
                final HttpJson http = new HttpJson(first.httpPort());
                final JsonNode view = poll(Duration.ofSeconds(60), () -> http.get("/admin/cluster").json(),
                    v -> v.path("members").size() == 2 && v.path("clusterSafe").asBoolean()
                        && v.path("members").path(0).has("httpPort") && v.path("members").path(1).has("httpPort"));

                assertThat(view.path("quorum").path("size").asInt()).isEqualTo(2);
                assertThat(view.path("quorum").path("present").asBoolean()).isTrue();
                final Set<Integer> httpPorts = new HashSet<>();
                final List<Integer> allPartitions = new ArrayList<>();
                int local = 0;
                for (final JsonNode member : view.path("members"))
                {
                    httpPorts.add(member.path("httpPort").asInt());
                    member.path("partitions").forEach(p -> allPartitions.add(p.asInt()));
                    assertThat(member.path("ownedPartitions").asInt()).isEqualTo(member.path("partitions").size())
                        .isPositive();
                    local += member.path("local").asBoolean() ? 1 : 0;
                }
                assertThat(local).isEqualTo(1);
                assertThat(httpPorts).containsExactlyInAnyOrder(first.httpPort(), second.httpPort());
                assertThat(allPartitions).hasSize(PARTITIONS).doesNotHaveDuplicates();
                final String scrape = http.get("/metrics").body();
                assertThat(scrape).contains("stockgrid_cluster_size 2").contains("stockgrid_cluster_safe 1");
            }
        }
    }

    @Test
    void shouldRunTheDrainActionOnceHoweverOftenAsked() throws Exception
    {
        try (StockgridNode node = TestNode.start(dir.resolve("recorded")))
        {
            final AtomicInteger drains = new AtomicInteger();
            node.onDrainRequest(drains::incrementAndGet);
            final HttpJson http = new HttpJson(node.httpPort());

            final HttpJson.Answer first = http.post("/admin/drain", "");
            final HttpJson.Answer second = http.post("/admin/drain", "");

            assertThat(first.status()).isEqualTo(202);
            assertThat(first.text("status")).isEqualTo("DRAINING");
            assertThat(second.status()).isEqualTo(202);
            poll(Duration.ofSeconds(10), drains::get, n -> n == 1);
            assertThat(http.get("/admin/cluster").json().path("draining").asBoolean()).isTrue();
            assertThat(drains.get()).isEqualTo(1);
        }
    }

    @Test
    void shouldStopTheNodeWhenDrainedByDefault() throws Exception
    {
        try (StockgridNode node = TestNode.start(dir.resolve("drained")))
        {
            final HttpJson http = new HttpJson(node.httpPort());
            assertThat(http.put("/v1/stock/AD-SKU/AD-WH", "{\"onHand\":1}").status()).isEqualTo(200);
            final int port = node.httpPort();

            final HttpJson.Answer answer = http.post("/admin/drain", "");

            assertThat(answer.status()).isEqualTo(202);
            poll(Duration.ofSeconds(30), () -> node.hazelcast().getLifecycleService().isRunning(), r -> !r);
            assertThat(accepts(port)).as("the HTTP door is closed").isFalse();
        }
    }

    /** Polls {@code read} every 100 ms until {@code done} holds for its value; fails after {@code timeout}. */
    private static <T> T poll(final Duration timeout, final Supplier<T> read, final Predicate<T> done)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        T value = read.get();
        while (!done.test(value))
        {
            assertThat(System.nanoTime() - deadline).as("waited %s; last seen: %s", timeout, value).isNegative();
            Thread.sleep(100);
            value = read.get();
        }
        return value;
    }

    private static boolean accepts(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
