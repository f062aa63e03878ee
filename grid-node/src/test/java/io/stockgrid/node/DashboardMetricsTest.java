package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.auth.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard cannot drift from the code: every metric named in any PromQL expression of
 * {@code deploy/grafana/stockgrid-dashboard.json} (panel targets and template variable queries) must be a sample
 * name in a real node's scrape, after a few calls through both doors have made its labelled series exist. And every
 * metric the node exports is documented in docs/operations.md.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardMetricsTest
{
    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "stockgrid-dashboard.json");
    private static final Path OPERATIONS_DOC = Path.of("..", "docs", "operations.md");
    private static final Pattern METRIC_NAME = Pattern.compile("\\bstockgrid_[a-zA-Z0-9_:]*");
    /** A sample line of the text format: the name, then labels or a space. */
    private static final Pattern SAMPLE_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static HttpJson http;
    private static String scrape;

    @BeforeAll
    static void startNodeAndCall() throws Exception
    {
        // With an API key, so that the per-key series exist too.
        final String secret = KeyFile.newSecret(new SecureRandom());
        final Path keys = dataDir.resolve("keys.json");
        Files.writeString(keys, "{\"keys\":[" + KeyFile.entryJson("dm-key", secret, EnumSet.allOf(Scope.class),
            100_000, 100_000) + "]}");
        node = StockgridNode.start(TestNode.config(dataDir.resolve("data")).set(Setting.AUTH_KEYS, keys.toString())
            .conclude());
        http = new HttpJson(node.httpPort(), secret);
        assertThat(new HttpJson(node.httpPort()).get("/v1/availability/DM-SKU-1/DM-WH-1").status()).isEqualTo(401);
        // HTTP: stock updates (freshness), a held and a rejected reservation (accept/reject, top SKUs), settle, return.
        assertThat(http.put("/v1/stock/DM-SKU-1/DM-WH-1", "{\"onHand\":5}").status()).isEqualTo(200);
        assertThat(http.post("/v1/stock/DM-SKU-1/DM-WH-1/adjustments", "{\"eventId\":\"dm-e1\",\"delta\":1}")
            .status()).isEqualTo(200);
        assertThat(http.post("/v1/reservations", "{\"reservationId\":\"dm-r1\",\"lines\":[{\"sku\":\"DM-SKU-1\","
            + "\"location\":\"DM-WH-1\",\"quantity\":2}]}").status()).isEqualTo(201);
        assertThat(http.post("/v1/reservations", "{\"reservationId\":\"dm-r2\",\"lines\":[{\"sku\":\"DM-SKU-1\","
            + "\"location\":\"DM-WH-1\",\"quantity\":99}]}").status()).isEqualTo(409);
        assertThat(http.post("/v1/reservations/dm-r1/commit", "").status()).isEqualTo(200);
        assertThat(http.post("/v1/returns", "{\"returnId\":\"dm-ret-1\",\"sku\":\"DM-SKU-1\",\"location\":\"DM-WH-1\","
            + "\"quantity\":1,\"disposition\":\"RESTOCK\"}").status()).isEqualTo(200);
        assertThat(http.get("/v1/availability/DM-SKU-1/DM-WH-1").status()).isEqualTo(200);
        // Binary: the same kinds of calls, so that the binary door's series exist too.
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort())
            .apiKey(secret).build())
        {
            client.setStock("DM-SKU-2", "DM-WH-2", 3, 0);
            client.adjust("DM-SKU-2", "DM-WH-2", "dm-e2", 1, null);
            client.reserve("dm-b1", List.of(new ReservationLine("DM-SKU-2", "DM-WH-2", 1)));
            assertThat(client.reserve("dm-b2", List.of(new ReservationLine("DM-SKU-2", "DM-WH-2", 50))).status())
                .isEqualTo(ReservationStatus.REJECTED);
            client.release("dm-b1");
            client.acceptReturn("dm-ret-2", "DM-SKU-2", "DM-WH-2", 1, ReturnDisposition.DAMAGED);
            client.availability("DM-SKU-2", "DM-WH-2");
        }
        final HttpJson.Answer metrics = http.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        scrape = metrics.body();
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldExportEveryMetricTheDashboardQueries() throws Exception
    {
        final Set<String> exported = sampleNames(scrape);
        final Set<String> queried = new TreeSet<>();
        for (final String expr : dashboardQueries(JSON.readTree(DASHBOARD.toFile())))
        {
            final Matcher m = METRIC_NAME.matcher(expr);
            while (m.find())
            {
                queried.add(m.group());
            }
        }

        assertThat(queried).as("metrics named in %s", DASHBOARD).hasSizeGreaterThan(20);
        assertThat(exported).as("sample names in the scrape of /metrics").containsAll(queried);
    }

    @Test
    void shouldUseTheDatasourceVariableAndAKnownSchema() throws Exception
    {
        final JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
        final List<String> datasources = new ArrayList<>();
        for (final JsonNode panel : dashboard.path("panels"))
        {
            if (!"row".equals(panel.path("type").asText()))
            {
                datasources.add(panel.path("datasource").path("uid").asText());
                panel.path("targets").forEach(t -> datasources.add(t.path("datasource").path("uid").asText()));
            }
        }
        assertThat(datasources).isNotEmpty().allMatch("${DS_PROMETHEUS}"::equals);
    }

    @Test
    void shouldExportJournalAndSnapshotGaugesFromTheStart()
    {
        final Set<String> exported = sampleNames(scrape);

        assertThat(exported).contains("stockgrid_journal_bytes", "stockgrid_journal_lag_ms",
            "stockgrid_snapshot_age_seconds", "stockgrid_snapshot_records");
    }

    @Test
    void shouldLabelOnlyBoundedSeries()
    {
        assertThat(scrape).contains("stockgrid_reserve_rejections_by_sku{sku=\"DM-SKU-1\"}");
        assertThat(scrape).contains("stockgrid_reserve_rejections_by_sku{sku=\"DM-SKU-2\"}");
        assertThat(scrape).contains("stockgrid_inventory_age_seconds{location=\"DM-WH-1\"}");
        assertThat(scrape).contains("stockgrid_binary_requests_total{operation=\"reserve\",result=\"INSUFFICIENT_STOCK\"}");
        assertThat(scrape).contains("stockgrid_binary_requests_total{operation=\"reserve\",result=\"ok\"}");
        assertThat(scrape).contains("stockgrid_cluster_size 1");
        assertThat(scrape).contains("stockgrid_cluster_quorum_present 1");
        assertThat(scrape).contains("stockgrid_partitions_owned 17");
    }

    @Test
    void shouldDocumentEveryExportedMetric() throws Exception
    {
        final String doc = Files.readString(OPERATIONS_DOC);
        final Set<String> families = new TreeSet<>();
        for (final String name : sampleNames(scrape))
        {
            if (name.startsWith("stockgrid_"))
            {
                families.add(name.replaceAll("_(bucket|count|sum|created)$", ""));
            }
        }
        final List<String> undocumented = families.stream().filter(f -> !doc.contains("`" + f + "`")).toList();

        assertThat(undocumented).as("metrics missing from %s", OPERATIONS_DOC).isEmpty();
    }

    private static Set<String> sampleNames(final String text)
    {
        final Set<String> names = new TreeSet<>();
        for (final String line : text.split("\n"))
        {
            final Matcher m = SAMPLE_NAME.matcher(line);
            if (!line.startsWith("#") && m.find())
            {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Every PromQL expression of the dashboard: panel targets (rows' nested panels too) and variable queries. */
    private static List<String> dashboardQueries(final JsonNode dashboard)
    {
        final List<String> queries = new ArrayList<>();
        final List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        dashboard.path("panels").forEach(p -> p.path("panels").forEach(panels::add));
        for (final JsonNode panel : panels)
        {
            panel.path("targets").forEach(t -> queries.add(t.path("expr").asText()));
        }
        for (final JsonNode variable : dashboard.path("templating").path("list"))
        {
            if ("query".equals(variable.path("type").asText()))
            {
                final JsonNode query = variable.path("query");
                queries.add(query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        assertThat(queries).as("PromQL expressions in %s", DASHBOARD).isNotEmpty().doesNotContain("");
        return queries;
    }
}
