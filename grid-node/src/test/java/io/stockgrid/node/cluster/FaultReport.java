package io.stockgrid.node.cluster;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario's report: what was done when (the timeline), what the driver saw (requests, errors, timeouts during
 * the faults, the longest time nothing was acknowledged), what the audits found (figures and violations), and
 * anything the scenario adds. Printed to stdout and written to target/cluster-faults/&lt;test&gt;.json.
 */
public final class FaultReport
{
    private static final int KEY_ROWS_MAX = 40;
    private final String name;
    private final long seed;
    private final Map<String, Map<String, Object>> drivers = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> audits = new LinkedHashMap<>();
    private final Map<String, Object> ledgers = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    public FaultReport(final String name, final long seed)
    {
        this.name = name;
        this.seed = seed;
    }

    public void put(final String key, final Object value)
    {
        extra.put(key, value);
    }

    public void driver(final String label, final FlashSaleDriver driver)
    {
        drivers.put(label, driver.figures());
        for (final String v : driver.monitorViolations())
        {
            violations.add(label + ": monitor: " + v);
        }
        for (final String v : driver.anomalies())
        {
            violations.add(label + ": a definitive answer the contract does not allow: " + v);
        }
    }

    /**
     * Adds an audit under {@code label}; its violations count against the scenario. When it found any, the whole
     * ledger (what was asked, what was acknowledged, what each reservation read as) goes to
     * &lt;test&gt;-&lt;label&gt;-ledger.csv beside the report, for the forensics.
     */
    public void audit(final String label, final OutsideAuditor.Result result, final List<Tracked> ledger,
        final StockPlan plan)
    {
        if (result.violationCount() > 0)
        {
            ledgers.put(label, writeLedger(label, result, ledger, plan).getFileName().toString());
        }
        final Map<String, Object> a = new LinkedHashMap<>(result.figures());
        final List<OutsideAuditor.KeyFigures> rows = new ArrayList<>();
        for (final OutsideAuditor.KeyFigures k : result.keys())
        {
            if (rows.size() < KEY_ROWS_MAX && (k.key().startsWith("HOT-") || k.reserved() != k.heldObserved()
                || k.onHand() != k.stock() - k.committedObserved()))
            {
                rows.add(k);
            }
        }
        a.put("keys (hot ones and any that failed)", rows);
        a.put("violationSamples", result.violations().subList(0, Math.min(50, result.violations().size())));
        audits.put(label, a);
        for (final String v : result.violations())
        {
            violations.add(label + ": " + v);
        }
    }

    private Path writeLedger(final String label, final OutsideAuditor.Result result, final List<Tracked> ledger,
        final StockPlan plan)
    {
        final Path file = reportDir().resolve(name + "-" + label.replaceAll("[^A-Za-z0-9]+", "-") + "-ledger.csv");
        final StringBuilder csv = new StringBuilder(ledger.size() * 200)
            .append("reservationId,lines,reserve,reserveStatus,settleAction,settle,settleStatus,readStatus,attempts,"
                + "trail\n");
        for (final Tracked t : ledger)
        {
            final StringBuilder lines = new StringBuilder();
            for (int l = 0; l < t.keys.length; l++)
            {
                lines.append(l == 0 ? "" : " ").append(plan.key(t.keys[l]).path()).append('x').append(t.quantities[l]);
            }
            csv.append(t.id).append(',').append(lines).append(',').append(t.reserve).append(',')
                .append(t.reserveStatus).append(',').append(t.settleAction).append(',').append(t.settle).append(',')
                .append(t.settleStatus).append(',').append(result.statuses().get(t.id)).append(',')
                .append(t.attempts).append(",\"").append(t.trail().replace('"', '\'')).append("\"\n");
        }
        try
        {
            Files.createDirectories(file.getParent());
            Files.writeString(file, csv);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return file;
    }

    public void violation(final String what)
    {
        violations.add(what);
    }

    public List<String> violations()
    {
        return List.copyOf(violations);
    }

    /** Prints and writes the report; returns the file. */
    public Path write(final FaultTimeline timeline, final long elapsedMs)
    {
        final Map<String, Object> root = new LinkedHashMap<>();
        root.put("test", name);
        root.put("seed", seed);
        root.put("result", violations.isEmpty() ? "PASS" : "FAIL (" + violations.size() + " violations)");
        root.put("elapsedMs", elapsedMs);
        root.put("summary", summary());
        root.put("timeline", timeline.events());
        root.put("faultWindows", timeline.windows());
        root.put("scenario", extra);
        root.put("drivers", drivers);
        root.put("audits", audits);
        root.put("ledgers (CSV beside this report)", ledgers);
        root.put("violations", violations.subList(0, Math.min(200, violations.size())));
        final Path dir = reportDir();
        final Path file = dir.resolve(name + ".json");
        try
        {
            Files.createDirectories(dir);
            final String json = NodeHttp.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root);
            Files.writeString(file, json);
            System.out.println("==== cluster fault report " + name + " (" + file.toAbsolutePath() + ")");
            System.out.println(json);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return file;
    }

    /** The headline figures: per driver what the client met, per audit what was found. */
    private Map<String, Object> summary()
    {
        final Map<String, Object> summary = new LinkedHashMap<>();
        drivers.forEach((label, d) ->
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            for (final String key : List.of("calls", "attempts", "acknowledged", "inDoubt", "errorsTotal",
                "errorsDuringFault", "timeoutsDuringFault", "longestUnavailabilityMs", "longestUnavailabilityFromMs",
                "longestCallMs", "anomalies"))
            {
                s.put(key, d.get(key));
            }
            summary.put(label, s);
        });
        audits.forEach((label, a) ->
        {
            final Map<String, Object> s = new LinkedHashMap<>();
            for (final String key : List.of("reservationsRead", "acknowledgedOutcomesChecked", "inDoubtAfterLoad",
                "inDoubtResolution", "keysAudited", "keysWithViolations", "unitTotals", "violations"))
            {
                if (a.containsKey(key))
                {
                    s.put(key, a.get(key));
                }
            }
            summary.put("audit " + label, s);
        });
        return summary;
    }

    /** target/cluster-faults of the grid-node module (next to the node jar the failsafe run is given). */
    static Path reportDir()
    {
        final String jar = System.getProperty("stockgrid.node.jar", "target/stockgrid-node.jar");
        return Path.of(jar).toAbsolutePath().getParent().resolve("cluster-faults");
    }
}
