package io.stockgrid.bench.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompareTableTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTabulateEachRoundsPeaksAndRatiosWithTheirMedians() throws IOException
    {
        final List<Path> rounds = List.of(round("r1", 20_000, 10_000, 40_000), round("r2", 30_000, 9_000, 50_000),
            round("r3", 10_000, 12_000, 40_000));

        final String table = CompareTable.rounds("redis", rounds);

        assertThat(table.lines()).containsExactly(
            "| round | binary | http | redis | binary / redis | http / redis |",
            "|---|---:|---:|---:|---:|---:|",
            "| 1 | 20000 | 10000 | 40000 | 0.50 | 0.25 |",
            "| 2 | 30000 | 9000 | 50000 | 0.60 | 0.18 |",
            "| 3 | 10000 | 12000 | 40000 | 0.25 | 0.30 |",
            // Each column's own median: the ratios' median is not the ratio of the medians.
            "| median | 20000 | 10000 | 40000 | 0.50 | 0.25 |");
    }

    @Test
    void shouldAverageTheMiddleTwoOfAnEvenNumberOfRounds() throws IOException
    {
        final String table = CompareTable.rounds("redis",
            List.of(round("a", 10_000, 1, 20_000), round("b", 20_000, 3, 20_000)));

        assertThat(table.lines().reduce((a, b) -> b).orElseThrow())
            .isEqualTo("| median | 15000 | 2 | 20000 | 0.75 | 0.00 |");
    }

    @Test
    void shouldRefuseRoundsWithoutTheBaseline() throws IOException
    {
        final Path noRedis = dir.resolve("x");
        Files.createDirectories(noRedis);
        Files.writeString(noRedis.resolve(Report.SUMMARY_FILE),
            "{\"runs\":[{\"target\":\"binary\",\"achievedRatePerSecond\":1}]}");

        assertThatThrownBy(() -> CompareTable.rounds("redis", List.of(noRedis)))
            .hasMessageContaining("no run of target 'redis'");
    }

    private Path round(final String name, final double binary, final double http, final double redis)
        throws IOException
    {
        final Path d = dir.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve(Report.SUMMARY_FILE), "{\"runs\":["
            + "{\"target\":\"binary\",\"achievedRatePerSecond\":" + binary + "},"
            + "{\"target\":\"http\",\"achievedRatePerSecond\":" + http + "},"
            + "{\"target\":\"redis\",\"achievedRatePerSecond\":" + redis + "}]}");
        return d;
    }
}
