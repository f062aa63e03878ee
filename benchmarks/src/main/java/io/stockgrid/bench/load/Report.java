package io.stockgrid.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's results: the terminal summary, {@code summary.json}, and one {@code .hgrm} file per histogram. */
final class Report
{
    static final String SUMMARY_FILE = "summary.json";
    static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report()
    {
    }

    static String mode(final RunResult run)
    {
        return run.closedLoop() ? "closed loop at peak" : "open loop at " + run.targetRatePerSecond() + " req/s";
    }

    static void printSummary(final RunResult run, final PrintStream out)
    {
        out.println();
        out.println("== " + run.target() + " (" + run.description() + "): " + mode(run) + ", " + run.durationSeconds()
            + " s measured after " + run.warmupSeconds() + " s warm-up");
        out.println(String.format(Locale.ROOT,
            "requests %d  achieved %.1f/s  accepted %d  rejected %d  errors %d  timeouts %d  dropped %d",
            run.requests(), run.achievedPerSecond(), run.tally(LoadStats.ACCEPTED), run.tally(LoadStats.REJECTED),
            run.tally(LoadStats.ERRORS), run.tally(LoadStats.TIMEOUTS), run.tally(LoadStats.DROPPED)));
        if (!run.errorsByStatus().isEmpty())
        {
            out.println("errors by operation:status " + run.errorsByStatus());
        }
        out.println(String.format(Locale.ROOT, "%-10s %9s %9s %9s %9s %9s %9s   %s", "latency ms", "count", "p50",
            "p90", "p99", "p99.9", "max", "(accepted/rejected/errors/timeouts/dropped)"));
        printRow(out, "all", run.all(), null);
        for (final Op op : new Op[] {Op.RESERVE, Op.COMMIT, Op.RELEASE})
        {
            printRow(out, op.label(), run.byOp()[op.ordinal()], run.counts()[op.ordinal()]);
        }
        final AuditResult a = run.audit();
        if (a == null)
        {
            out.println("audit: skipped (--no-audit)");
            return;
        }
        out.println(String.format(Locale.ROOT,
            "audit: %d SKU-locations (%d unreadable), %d units at start; store: %d held + %d committed; answers: %d "
                + "held + %d committed",
            a.keys(), a.keysUnreadable(), a.initialUnits(), a.storeHeldUnits(), a.storeCommittedUnits(),
            a.answeredHeldUnits(), a.answeredCommittedUnits()));
        out.println("oversold units: " + a.oversoldUnits() + (a.oversoldUnits() == 0 ? "" :
            "  (on " + a.keysOversold() + " SKU-locations)"));
        out.println("accepted reservations present: " + a.reservationsPresent() + " of " + a.acceptedReservations()
            + " (" + a.reservationsMissing() + " missing, " + a.reservationsWrongStatus() + " in a status that "
            + "contradicts an answer, " + a.reservationsUnreadable() + " unreadable)");
        if (a.keysDiffering() > 0 || a.keysUncertain() > 0)
        {
            out.println("store vs answers: " + a.keysDiffering() + " SKU-locations differ; " + a.keysUncertain()
                + " touched by a request without a definite answer");
        }
        out.println("audit " + (a.passed() ? "PASSED" : "FAILED"));
    }

    private static void printRow(final PrintStream out, final String name, final Histogram h, final long[] counts)
    {
        final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-10s %9d", name, h.getTotalCount()));
        for (final double p : PERCENTILES)
        {
            row.append(String.format(Locale.ROOT, " %9.3f", h.getValueAtPercentile(p) / 1e6));
        }
        row.append(String.format(Locale.ROOT, " %9.3f", h.getMaxValue() / 1e6));
        if (counts != null)
        {
            row.append(String.format(Locale.ROOT, "   %d/%d/%d/%d/%d", counts[0], counts[1], counts[2], counts[3],
                counts[4]));
        }
        out.println(row);
    }

    /** The .hgrm files of one run, in milliseconds: {@code <target>.hgrm} (all operations) and one per operation. */
    static void writeHistograms(final Path dir, final RunResult run) throws IOException
    {
        writeHgrm(dir.resolve(run.target() + ".hgrm"), run.all());
        for (final Op op : new Op[] {Op.RESERVE, Op.COMMIT, Op.RELEASE})
        {
            writeHgrm(dir.resolve(run.target() + "-" + op.label() + ".hgrm"), run.byOp()[op.ordinal()]);
        }
    }

    private static void writeHgrm(final Path file, final Histogram h) throws IOException
    {
        try (OutputStream os = Files.newOutputStream(file); PrintStream ps = new PrintStream(os, false, "UTF-8"))
        {
            h.outputPercentileDistribution(ps, 5, 1e6);
        }
    }

    static void writeJson(final Path file, final LoadOptions options, final List<RunResult> runs,
        final boolean chartsWritten) throws IOException
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("generator", "stockgrid-bench");
        root.put("writtenAt", Instant.now().toString());
        root.put("passed", runs.stream().allMatch(RunResult::passed));
        final ObjectNode o = root.putObject("options");
        o.put("host", options.host);
        o.put("mode", options.closedLoop() ? "closed-loop" : "open-loop");
        o.put("rate", options.rate);
        o.put("rampSeconds", options.rampSeconds);
        o.put("warmupSeconds", options.warmupSeconds);
        o.put("durationSeconds", options.durationSeconds);
        o.put("connections", options.connections);
        o.put("window", options.window);
        o.put("backlog", options.backlog);
        o.put("ioThreads", options.ioThreads);
        o.put("skus", options.skus);
        o.put("skew", options.skewKind.name().toLowerCase(Locale.ROOT));
        o.put("zipfExponent", options.zipfExponent);
        o.put("stock", options.stock);
        o.put("quantity", options.quantity);
        o.put("lines", options.lines);
        o.put("retryShare", options.retryShare);
        o.put("commitShare", options.commitShare);
        o.put("releaseShare", options.releaseShare);
        o.put("ttlSeconds", options.ttlSeconds);
        o.put("timeoutMs", options.timeoutMs);
        o.put("seed", options.seed);
        o.put("runId", options.runId);
        final ArrayNode array = root.putArray("runs");
        for (final RunResult run : runs)
        {
            array.add(runNode(run));
        }
        if (chartsWritten)
        {
            final ObjectNode charts = root.putObject("charts");
            charts.put("latencyByPercentile", Charts.LATENCY_FILE);
            charts.put("throughputOverTime", Charts.THROUGHPUT_FILE);
        }
        JSON.writeValue(file.toFile(), root);
    }

    private static ObjectNode runNode(final RunResult run)
    {
        final ObjectNode n = JSON.createObjectNode();
        n.put("target", run.target());
        n.put("description", run.description());
        n.put("mode", run.closedLoop() ? "closed-loop" : "open-loop");
        n.put("targetRatePerSecond", run.targetRatePerSecond());
        n.put("warmupSeconds", run.warmupSeconds());
        n.put("durationSeconds", run.durationSeconds());
        n.put("requests", run.requests());
        n.put("achievedRatePerSecond", Math.round(run.achievedPerSecond() * 10) / 10.0);
        n.set("outcomes", tallies(run.counts(), -1));
        n.set("latencyMs", latency(run.all()));
        final ObjectNode ops = n.putObject("operations");
        for (final Op op : new Op[] {Op.RESERVE, Op.COMMIT, Op.RELEASE})
        {
            final ObjectNode opNode = ops.putObject(op.label());
            opNode.set("outcomes", tallies(run.counts(), op.ordinal()));
            opNode.set("latencyMs", latency(run.byOp()[op.ordinal()]));
        }
        final ObjectNode errors = n.putObject("errorsByStatus");
        for (final Map.Entry<String, Long> e : run.errorsByStatus().entrySet())
        {
            errors.put(e.getKey(), e.getValue());
        }
        n.put("reservationsIssued", run.reservationsIssued());
        n.put("stoppedAtMaxRequests", run.ranOutOfIds());
        n.put("histogramFile", run.target() + ".hgrm");
        final ArrayNode timeline = n.putArray("timeline");
        for (final TimelinePoint p : run.timeline())
        {
            final ObjectNode t = timeline.addObject();
            t.put("second", p.second());
            t.put("measuring", p.measuring());
            t.put("sentPerSecond", p.sentPerSecond());
            t.put("answeredPerSecond", p.answeredPerSecond());
            t.put("p50Ms", round(p.p50Ms()));
            t.put("p99Ms", round(p.p99Ms()));
            t.put("maxMs", round(p.maxMs()));
            t.put("errors", p.errors());
            t.put("timeouts", p.timeouts());
            t.put("dropped", p.dropped());
            t.put("outstanding", p.outstanding());
        }
        final AuditResult a = run.audit();
        if (a != null)
        {
            final ObjectNode audit = n.putObject("audit");
            audit.put("passed", a.passed());
            audit.put("oversoldUnits", a.oversoldUnits());
            audit.put("skuLocationsOversold", a.keysOversold());
            audit.put("everyAcceptedReservationPresent", a.everyAcceptedPresent());
            audit.put("acceptedReservations", a.acceptedReservations());
            audit.put("reservationsPresent", a.reservationsPresent());
            audit.put("reservationsMissing", a.reservationsMissing());
            audit.put("reservationsWrongStatus", a.reservationsWrongStatus());
            audit.put("reservationsUnreadable", a.reservationsUnreadable());
            audit.put("skuLocations", a.keys());
            audit.put("skuLocationsUnreadable", a.keysUnreadable());
            audit.put("initialUnits", a.initialUnits());
            audit.put("storeHeldUnits", a.storeHeldUnits());
            audit.put("storeCommittedUnits", a.storeCommittedUnits());
            audit.put("answeredHeldUnits", a.answeredHeldUnits());
            audit.put("answeredCommittedUnits", a.answeredCommittedUnits());
            audit.put("skuLocationsUncertain", a.keysUncertain());
            audit.put("skuLocationsDiffering", a.keysDiffering());
        }
        return n;
    }

    private static ObjectNode tallies(final long[][] counts, final int op)
    {
        final ObjectNode n = JSON.createObjectNode();
        for (int t = 0; t < LoadStats.TALLIES; t++)
        {
            long sum = 0;
            for (int o = 0; o < counts.length; o++)
            {
                sum += op < 0 || op == o ? counts[o][t] : 0;
            }
            n.put(LoadStats.TALLY_NAMES[t], sum);
        }
        return n;
    }

    private static ObjectNode latency(final Histogram h)
    {
        final ObjectNode n = JSON.createObjectNode();
        n.put("count", h.getTotalCount());
        n.put("p50", round(h.getValueAtPercentile(50) / 1e6));
        n.put("p90", round(h.getValueAtPercentile(90) / 1e6));
        n.put("p99", round(h.getValueAtPercentile(99) / 1e6));
        n.put("p99.9", round(h.getValueAtPercentile(99.9) / 1e6));
        n.put("max", round(h.getMaxValue() / 1e6));
        n.put("mean", round(h.getMean() / 1e6));
        return n;
    }

    private static double round(final double ms)
    {
        return Math.round(ms * 1000) / 1000.0;
    }
}
