package io.stockgrid.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side table of {@code compare.sh}, from two generator runs over the same targets: a closed-loop run for
 * peak throughput and an open-loop run at a fixed rate for latency. Ratios are Stockgrid / Redis: above 1 means
 * Stockgrid is higher (better for throughput, worse for latency).
 *
 * <pre>
 * java -cp stockgrid-bench.jar io.stockgrid.bench.load.CompareTable table PEAK_DIR RATE_DIR [STOCKGRID REDIS]
 * java -cp stockgrid-bench.jar io.stockgrid.bench.load.CompareTable rate-from PEAK_DIR FRACTION
 * java -cp stockgrid-bench.jar io.stockgrid.bench.load.CompareTable rounds REDIS PEAK_DIR...
 * </pre>
 */
public final class CompareTable
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private CompareTable()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length >= 3 && args[0].equals("rate-from"))
        {
            System.out.println(rateFrom(Path.of(args[1]), Double.parseDouble(args[2])));
        }
        else if (args.length >= 3 && args[0].equals("table"))
        {
            final String stockgrid = args.length > 3 ? args[3] : "http";
            final String redis = args.length > 4 ? args[4] : "redis";
            System.out.print(table(Path.of(args[1]), Path.of(args[2]), stockgrid, redis));
        }
        else if (args.length >= 3 && args[0].equals("rounds"))
        {
            final List<Path> dirs = new ArrayList<>();
            for (int i = 2; i < args.length; i++)
            {
                dirs.add(Path.of(args[i]));
            }
            System.out.print(rounds(args[1], dirs));
        }
        else
        {
            System.err.println("usage: CompareTable table PEAK_DIR RATE_DIR [STOCKGRID_TARGET REDIS_TARGET]\n"
                + "       CompareTable rate-from PEAK_DIR FRACTION\n"
                + "       CompareTable rounds REDIS_TARGET PEAK_DIR...");
            System.exit(2);
        }
    }

    /** {@code fraction} of the lowest peak throughput of the runs in {@code peakDir}, as a whole rate (>= 1). */
    static long rateFrom(final Path peakDir, final double fraction) throws IOException
    {
        double lowest = Double.MAX_VALUE;
        for (final JsonNode run : read(peakDir).path("runs"))
        {
            lowest = Math.min(lowest, run.path("achievedRatePerSecond").asDouble());
        }
        return Math.max(1, (long)Math.floor(lowest * fraction));
    }

    static String table(final Path peakDir, final Path rateDir, final String stockgrid, final String redis)
        throws IOException
    {
        final JsonNode peak = read(peakDir);
        final JsonNode rate = read(rateDir);
        final JsonNode sgPeak = run(peak, stockgrid);
        final JsonNode rdPeak = run(peak, redis);
        final JsonNode sgRate = run(rate, stockgrid);
        final JsonNode rdRate = run(rate, redis);
        final StringBuilder t = new StringBuilder(1024);
        t.append("| measure | ").append(sgRate.path("description").asText().replaceFirst(" at .*", ""))
            .append(" | ").append(rdRate.path("description").asText().replaceFirst(" at .*", ""))
            .append(" | Stockgrid / Redis |\n|---|---:|---:|---:|\n");
        row(t, "peak throughput, closed loop (answers/s)", sgPeak.path("achievedRatePerSecond").asDouble(),
            rdPeak.path("achievedRatePerSecond").asDouble(), "%.0f");
        row(t, "p99 at peak (ms)", sgPeak.path("latencyMs").path("p99").asDouble(),
            rdPeak.path("latencyMs").path("p99").asDouble(), "%.3f");
        final int fixed = rate.path("options").path("rate").asInt();
        for (final String p : new String[] {"p50", "p99", "p99.9"})
        {
            row(t, p + " at " + fixed + " req/s, open loop (ms)", sgRate.path("latencyMs").path(p).asDouble(),
                rdRate.path("latencyMs").path(p).asDouble(), "%.3f");
        }
        row(t, "achieved at " + fixed + " req/s (answers/s)", sgRate.path("achievedRatePerSecond").asDouble(),
            rdRate.path("achievedRatePerSecond").asDouble(), "%.0f");
        t.append("| errors + timeouts + dropped (peak; fixed rate) | ").append(trouble(sgPeak)).append("; ")
            .append(trouble(sgRate)).append(" | ").append(trouble(rdPeak)).append("; ").append(trouble(rdRate))
            .append(" | |\n");
        t.append("| audit: oversold units (peak; fixed rate) | ").append(oversold(sgPeak)).append("; ")
            .append(oversold(sgRate)).append(" | ").append(oversold(rdPeak)).append("; ").append(oversold(rdRate))
            .append(" | |\n");
        return t.toString();
    }

    /**
     * Peak throughput of every target in each round (closed-loop runs made one after another in the same run), the
     * ratio of each other target to {@code redis} per round, and the median of each column. On a shared machine one
     * round moves by 20% or more; the median of rounds that each measured every target back to back is the figure to
     * quote.
     */
    static String rounds(final String redis, final List<Path> peakDirs) throws IOException
    {
        final List<String> targets = new ArrayList<>();
        for (final JsonNode run : read(peakDirs.get(0)).path("runs"))
        {
            targets.add(run.path("target").asText());
        }
        if (!targets.remove(redis))
        {
            throw new IOException("no run of target '" + redis + "' in " + peakDirs.get(0));
        }
        final List<List<Double>> columns = new ArrayList<>();
        final StringBuilder t = new StringBuilder(512).append("| round |");
        for (final String target : targets)
        {
            t.append(' ').append(target).append(" |");
        }
        t.append(' ').append(redis).append(" |");
        for (final String target : targets)
        {
            t.append(' ').append(target).append(" / ").append(redis).append(" |");
        }
        t.append("\n|---|").append("---:|".repeat(targets.size() * 2 + 1)).append('\n');
        for (int i = 0; i < targets.size() * 2 + 1; i++)
        {
            columns.add(new ArrayList<>());
        }
        for (int r = 0; r < peakDirs.size(); r++)
        {
            final JsonNode summary = read(peakDirs.get(r));
            final double base = run(summary, redis).path("achievedRatePerSecond").asDouble();
            final List<Double> cells = new ArrayList<>();
            for (final String target : targets)
            {
                cells.add(run(summary, target).path("achievedRatePerSecond").asDouble());
            }
            cells.add(base);
            for (int i = 0; i < targets.size(); i++)
            {
                cells.add(base == 0 ? 0 : cells.get(i) / base);
            }
            t.append("| ").append(r + 1).append(' ');
            appendCells(t, cells, targets.size());
            for (int i = 0; i < cells.size(); i++)
            {
                columns.get(i).add(cells.get(i));
            }
        }
        final List<Double> medians = new ArrayList<>();
        for (final List<Double> column : columns)
        {
            final List<Double> sorted = new ArrayList<>(column);
            Collections.sort(sorted);
            final int n = sorted.size();
            medians.add(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
        }
        t.append("| median ");
        appendCells(t, medians, targets.size());
        return t.toString();
    }

    private static void appendCells(final StringBuilder t, final List<Double> cells, final int targets)
    {
        for (int i = 0; i < cells.size(); i++)
        {
            t.append("| ").append(String.format(Locale.ROOT, i <= targets ? "%.0f" : "%.2f", cells.get(i))).append(' ');
        }
        t.append("|\n");
    }

    private static void row(final StringBuilder t, final String name, final double stockgrid, final double redis,
        final String format)
    {
        t.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, stockgrid)).append(" | ")
            .append(String.format(Locale.ROOT, format, redis)).append(" | ")
            .append(redis == 0 ? "-" : String.format(Locale.ROOT, "%.2f", stockgrid / redis)).append(" |\n");
    }

    private static String trouble(final JsonNode run)
    {
        final JsonNode o = run.path("outcomes");
        return Long.toString(o.path("errors").asLong() + o.path("timeouts").asLong() + o.path("dropped").asLong());
    }

    private static String oversold(final JsonNode run)
    {
        final JsonNode audit = run.path("audit");
        if (audit.isMissingNode())
        {
            return "not audited";
        }
        return audit.path("oversoldUnits").asLong() + (audit.path("passed").asBoolean() ? "" : " (audit FAILED)");
    }

    private static JsonNode run(final JsonNode summary, final String target) throws IOException
    {
        for (final JsonNode run : summary.path("runs"))
        {
            if (run.path("target").asText().equals(target))
            {
                return run;
            }
        }
        throw new IOException("no run of target '" + target + "' in the summary");
    }

    private static JsonNode read(final Path dir) throws IOException
    {
        return JSON.readTree(dir.resolve(Report.SUMMARY_FILE).toFile());
    }
}
