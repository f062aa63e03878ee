package io.stockgrid.bench.load;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs the workload against each target in turn (connect, set the initial stock, warm up and measure, audit), then
 * writes the summary, the histograms and the charts with every target on them.
 */
final class LoadGenerator
{
    /** What a generator run produced. */
    record Result(List<RunResult> runs, Path dir, boolean chartsWritten)
    {
        boolean passed()
        {
            return runs.stream().allMatch(RunResult::passed);
        }
    }

    private LoadGenerator()
    {
    }

    /** @param options concluded options. */
    static Result run(final LoadOptions options, final PrintStream out) throws Exception
    {
        final List<Target> targets = new ArrayList<>();
        try
        {
            for (int i = 0; i < options.targetKinds.size(); i++)
            {
                // Every target is created before any load, so a bad one fails before any run.
                targets.add(options.targetKinds.get(i).create(options.host, options.targetPorts.get(i), options,
                    options.workload(i)));
            }
            Files.createDirectories(options.out);
            final List<RunResult> runs = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++)
            {
                runs.add(runOne(options, targets.get(i), options.workload(i), out));
            }
            boolean charts = false;
            try
            {
                Charts.write(options.out, runs, subtitle(options));
                charts = true;
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                out.println("charts not written: " + ex);
            }
            Report.writeJson(options.out.resolve(Report.SUMMARY_FILE), options, runs, charts);
            out.println();
            out.println("summary: " + options.out.resolve(Report.SUMMARY_FILE) + (charts ? "; charts: "
                + options.out.resolve(Charts.LATENCY_FILE) + ", " + options.out.resolve(Charts.THROUGHPUT_FILE) : ""));
            return new Result(runs, options.out, charts);
        }
        finally
        {
            for (final Target t : targets)
            {
                t.close();
            }
        }
    }

    static String subtitle(final LoadOptions o)
    {
        return String.format(Locale.ROOT, "%s, %d x %d in flight, %d keys %s",
            o.closedLoop() ? "closed loop" : o.rate + " req/s", o.connections, o.window, o.skus,
            o.skewKind.name().toLowerCase(Locale.ROOT));
    }

    private static RunResult runOne(final LoadOptions options, final Target target, final Workload workload,
        final PrintStream out) throws Exception
    {
        final boolean spread = options.httpSpread && target.name().equals("http");
        out.println("[" + target.name() + "] " + target.description() + ": connecting "
            + (spread ? options.connections * options.window + " connections x 1 in flight (--http-spread)" :
            options.connections + " connections x " + options.window + " in flight")
            + ", setting " + workload.initialStock + " units on " + workload.keys + " SKU-locations");
        target.connect();
        final int maxOutstanding = options.connections * options.window;
        final AtomicReferenceArray<BulkCalls.Answer> set = BulkCalls.run(target, workload.keys, maxOutstanding,
            60_000 + workload.keys, (i, c) -> new Request(Op.SET_STOCK, i, null, workload.initialStock, false,
                System.nanoTime(), c));
        int failed = 0;
        for (int i = 0; i < workload.keys; i++)
        {
            failed += set.get(i) == null || set.get(i).outcome() != Outcome.ACCEPTED ? 1 : 0;
        }
        if (failed > 0)
        {
            throw new IOException(target.name() + ": setting the initial stock failed on " + failed + " of "
                + workload.keys + " SKU-locations");
        }
        out.println("[" + target.name() + "] " + (options.closedLoop() ? "closed loop at peak" :
            "open loop at " + options.rate + " req/s") + " for " + options.warmupSeconds + " s warm-up + "
            + options.durationSeconds + " s");
        final LoadDriver driver = new LoadDriver(options, target, workload);
        final LoadDriver.Run run = driver.run(out);
        AuditResult audit = null;
        if (!options.noAudit)
        {
            out.println("[" + target.name() + "] auditing the store");
            // A hold may have expired (and its units gone back) once the run has lasted longer than the TTL.
            final boolean expiryPossible = System.nanoTime() - run.startNs() >= workload.ttlSeconds * 1_000_000_000L;
            audit = StoreAudit.audit(target, workload, run.ledger(), run.reservationsIssued(), maxOutstanding,
                expiryPossible);
        }
        final Histogram[] byOp = new Histogram[Op.LOAD_OPS];
        final Histogram all = new Histogram(LoadStats.HIGHEST_NS, LoadStats.DIGITS);
        final long[][] counts = new long[Op.LOAD_OPS][LoadStats.TALLIES];
        for (final Op op : new Op[] {Op.RESERVE, Op.COMMIT, Op.RELEASE})
        {
            byOp[op.ordinal()] = run.stats().measured(op);
            all.add(byOp[op.ordinal()]);
            for (int t = 0; t < LoadStats.TALLIES; t++)
            {
                counts[op.ordinal()][t] = run.stats().count(op, t);
            }
        }
        final RunResult result = new RunResult(target.name(), target.description(), options.closedLoop(),
            options.rate, options.warmupSeconds, options.durationSeconds, counts, all, byOp, run.timeline(),
            run.stats().errorsByStatus(), run.reservationsIssued(), run.ranOutOfIds(), audit);
        Report.printSummary(result, out);
        Report.writeHistograms(options.out, result);
        target.close();
        return result;
    }
}
