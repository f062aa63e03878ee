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
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    public FaultReport(final String name, final long seed)
    {
        this.name = name;
        root.put("test", name);
        root.put("seed", seed);
    }

    public void put(final String key, final Object value)
    {
        extra.put(key, value);
    }

    public void driver(final FlashSaleDriver driver)
    {
        root.put("driver", driver.figures());
        for (final String v : driver.monitorViolations())
        {
            violations.add("monitor: " + v);
        }
        for (final String v : driver.anomalies())
        {
            violations.add("driver: a definitive answer the contract does not allow: " + v);
        }
    }

    /** Adds an audit under {@code label}; its violations count against the scenario. */
    public void audit(final String label, final OutsideAuditor.Result result)
    {
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
        root.put("audit " + label, a);
        for (final String v : result.violations())
        {
            violations.add(label + ": " + v);
        }
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
        root.put("elapsedMs", elapsedMs);
        root.put("result", violations.isEmpty() ? "PASS" : "FAIL (" + violations.size() + " violations)");
        root.put("timeline", timeline.events());
        root.put("faultWindows", timeline.windows());
        root.put("scenario", extra);
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

    /** target/cluster-faults of the grid-node module (next to the node jar the failsafe run is given). */
    static Path reportDir()
    {
        final String jar = System.getProperty("stockgrid.node.jar", "target/stockgrid-node.jar");
        return Path.of(jar).toAbsolutePath().getParent().resolve("cluster-faults");
    }
}
