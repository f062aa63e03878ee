package io.stockgrid.ingest;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ShortLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The structures behind the labelled metrics stay bounded however many keys arrive, and still show what they are
 * for: the heaviest rejected SKUs, and every location's last update up to the cap.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BoundedMetricsTest
{
    @Test
    void shouldKeepTheHeavyHittersOfAStreamOfManyKeys()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final TopCounts top = new TopCounts(50);
        final Map<String, Long> exact = new HashMap<>();
        for (int i = 0; i < 200_000; i++)
        {
            // Five hot SKUs take 40% of the stream; 100,000 others share the rest.
            final String key = random.nextInt(10) < 4 ? "HOT-" + random.nextInt(5) : "COLD-" + random.nextInt(100_000);
            top.add(key);
            exact.merge(key, 1L, Long::sum);
        }

        final List<TopCounts.Entry> five = top.top(5);
        assertThat(five).as("seed %d", seed).extracting(TopCounts.Entry::key)
            .containsExactlyInAnyOrder("HOT-0", "HOT-1", "HOT-2", "HOT-3", "HOT-4");
        for (final TopCounts.Entry e : five)
        {
            // Space-saving never underestimates, and overestimates by at most the count it inherited.
            assertThat(e.count()).as("seed %d, %s", seed, e.key()).isGreaterThanOrEqualTo(exact.get(e.key()))
                .isLessThanOrEqualTo(exact.get(e.key()) + e.error());
        }
        assertThat(top.top(1_000)).as("at most the capacity is tracked").hasSize(50);
    }

    @Test
    void shouldSendLocationsBeyondTheCapToTheOverflowSeries()
    {
        final LocationFreshness freshness = new LocationFreshness(3);
        freshness.updated("WH-1", 1_000);
        freshness.updated("WH-2", 2_000);
        freshness.updated("WH-3", 3_000);
        freshness.updated("WH-4", 4_000);
        freshness.updated("WH-5", 3_500);
        freshness.updated("WH-1", 5_000);
        freshness.updated("WH-2", 1_500);

        final Map<String, Long> seen = new HashMap<>();
        freshness.forEach(seen::put);
        assertThat(seen).containsOnly(Map.entry("WH-1", 5_000L), Map.entry("WH-2", 2_000L), Map.entry("WH-3", 3_000L),
            Map.entry(LocationFreshness.OVERFLOW, 4_000L));
        assertThat(freshness.size()).isEqualTo(3);
    }

    @Test
    void shouldExportAtMostTwentySkusAndOneSeriesPerLocation()
    {
        final IngestMetrics metrics = new IngestMetrics();
        for (int i = 0; i < 500; i++)
        {
            metrics.recordStockUpdate("LOC-" + i);
        }
        for (int i = 0; i < 300; i++)
        {
            final String sku = "SKU-" + (i % 60);
            final ReservationState rejected = new ReservationState("r-" + i, ReservationPhase.REJECTED,
                ReservationPhase.REJECTED, 1, 0, 0, 0, "fp", null, List.of(),
                List.of(new ShortLine(sku, "LOC-1", 2, 1)));
            metrics.recordReservation(ReservationOutcome.of(ReservationOutcome.Code.REJECTED, rejected));
        }

        final String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(lines(scrape, "stockgrid_inventory_age_seconds{")).hasSize(500);
        assertThat(lines(scrape, "stockgrid_reserve_rejections_by_sku{")).hasSize(IngestMetrics.REJECTED_SKUS_EXPORTED);
        assertThat(scrape).contains("stockgrid_reservations_rejected_total 300.0");
        assertThat(scrape).contains("stockgrid_journal_bytes 0.0").contains("stockgrid_snapshot_records 0.0")
            .contains("stockgrid_journal_lag_ms 0.0").contains("stockgrid_snapshot_age_seconds -1.0");
    }

    private static List<String> lines(final String scrape, final String prefix)
    {
        final List<String> lines = new ArrayList<>();
        for (final String line : scrape.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void shouldRecordBinaryRequestsByOperationAndResult()
    {
        final IngestMetrics metrics = new IngestMetrics();
        metrics.recordBinaryRequest(Operation.RESERVE, null, 1_000_000);
        metrics.recordBinaryRequest(Operation.RESERVE, null, 2_000_000);
        metrics.recordBinaryRequest(Operation.RESERVE, ErrorCode.INSUFFICIENT_STOCK, 3_000_000);

        final String scrape = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(scrape).contains("stockgrid_binary_requests_total{operation=\"reserve\",result=\"ok\"} 2")
            .contains("stockgrid_binary_requests_total{operation=\"reserve\",result=\"INSUFFICIENT_STOCK\"} 1")
            .contains("stockgrid_binary_request_duration_seconds_count{operation=\"reserve\"} 3");
    }
}
