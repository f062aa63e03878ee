package io.stockgrid.bench.load;

import picocli.CommandLine.Command;
import io.stockgrid.api.client.ClientTls;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every flag of the load generator, with its default. {@link #conclude()} checks them all once, with messages that
 * name the flag and its value. The fields are set by picocli from the command line, or directly by tests.
 */
@Command(name = "stockgrid-bench", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
    version = "stockgrid-bench 0.1.0", usageHelpWidth = 110,
    description = {
        "Open-loop flash-sale load generator for Stockgrid, with a Redis + Lua baseline.%n"
            + "Sends reserve/commit/release requests on a fixed schedule, latency measured from the intended send "
            + "time (HdrHistogram, coordinated omission corrected), or closed loop at peak with --rate 0. Prints a "
            + "line per second, then a summary; audits the store afterwards (oversold units, every accepted "
            + "reservation present); writes DIR/summary.json, .hgrm files and two charts.%n"})
final class LoadOptions
{
    @Option(names = "--target", split = ",", defaultValue = "http",
        description = "http, redis or binary; a comma-separated list runs each in turn with the same workload")
    List<String> targets = new ArrayList<>(List.of("http"));

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "host of every target")
    String host = "127.0.0.1";

    @Option(names = "--port", defaultValue = "auto",
        description = "port per target, comma-separated in --target order; auto: 8080 http, 6379 redis, 7070 binary")
    String ports = "auto";

    @Option(names = "--duration", defaultValue = "30", description = "measured seconds per target")
    int durationSeconds = 30;

    @Option(names = "--warmup", defaultValue = "5", description = "seconds of load before measuring (not recorded)")
    int warmupSeconds = 5;

    @Option(names = "--ramp", defaultValue = "0",
        description = "seconds over which the rate rises linearly from 0 to --rate, from the start of the warm-up")
    int rampSeconds;

    @Option(names = "--rate", defaultValue = "2000",
        description = "requests per second, open loop; 0 = closed loop at peak (each connection keeps its window full)")
    int rate = 2000;

    @Option(names = "--connections", defaultValue = "32", description = "persistent connections per target")
    int connections = 32;

    @Option(names = "--window", defaultValue = "4",
        description = "requests in flight per connection (pipelined; Stockgrid's HTTP door runs a connection's "
            + "mutations one at a time, so for HTTP more connections scale further than a wider window)")
    int window = 4;

    @Option(names = "--http-spread",
        description = "http targets open --connections x --window connections with one request in flight each, "
            + "instead of pipelining --window requests on each of --connections: the same requests in flight as "
            + "the other targets, without HTTP/1.1's rule that a connection's pipelined mutations run one at a time "
            + "(RFC 9112, 9.3.2), which caps a pipelined connection at one mutation per round trip")
    boolean httpSpread;

    @Option(names = "--backlog", defaultValue = "10000",
        description = "requests that may wait per connection when its window is full; beyond it they are dropped")
    int backlog = 10_000;

    @Option(names = "--io-threads", defaultValue = "2",
        description = "client I/O threads per target, shared by its connections (Netty for http, the Java client "
            + "for binary, Lettuce for redis, which uses at least 2)")
    int ioThreads = 2;

    @Option(names = "--skus", defaultValue = "1000", description = "SKU-locations the load spreads over")
    int skus = 1_000;

    @Option(names = "--skew", defaultValue = "uniform",
        description = "uniform, zipf (by rank, see --zipf-exponent) or hot (every request on one SKU-location)")
    String skew = "uniform";

    @Option(names = "--zipf-exponent", defaultValue = "0.99", description = "exponent of --skew zipf")
    double zipfExponent = 0.99;

    @Option(names = "--stock", defaultValue = "1000", description = "initial on-hand units per SKU-location")
    long stock = 1_000;

    @Option(names = "--quantity", defaultValue = "1", description = "units per reservation line")
    long quantity = 1;

    @Option(names = "--lines", defaultValue = "1", description = "lines (distinct SKU-locations) per reservation")
    int lines = 1;

    @Option(names = "--retry-share", defaultValue = "0.05",
        description = "share of requests that repeat a recent reservation with the same id and body")
    double retryShare = 0.05;

    @Option(names = "--commit-share", defaultValue = "0.30",
        description = "share of requests that commit a held reservation")
    double commitShare = 0.30;

    @Option(names = "--release-share", defaultValue = "0.10",
        description = "share of requests that release a held reservation")
    double releaseShare = 0.10;

    @Option(names = "--ttl", defaultValue = "900", description = "hold time-to-live of each reservation, seconds")
    int ttlSeconds = 900;

    @Option(names = "--timeout", defaultValue = "5000",
        description = "ms: an answer later than this counts as a timeout; after the run, unanswered requests are "
            + "waited for this long")
    int timeoutMs = 5_000;

    @Option(names = "--max-requests", defaultValue = "20000000",
        description = "most reservations one target's run may create (bounds the generator's memory)")
    long maxRequests = 20_000_000;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the workload (same seed, same requests)")
    long seed = 42;

    @Option(names = "--out", defaultValue = "bench-out",
        description = "directory for summary.json, the .hgrm files and the charts")
    Path out = Path.of("bench-out");

    @Option(names = "--api-key", defaultValue = "",
        description = "API key secret for a node with keys (Authorization: Bearer over http, HELLO over binary); the "
            + "key needs stock:write, reservations:write and read. Empty: none (a node without keys)")
    String apiKey = "";

    @Option(names = "--tls",
        description = "speak TLS to a node started with --tls-cert (https for http, TLS for binary); the node's "
            + "certificate must name --host")
    boolean tls;

    @Option(names = "--tls-ca", defaultValue = "",
        description = "with --tls: PEM file of the CAs to trust for the node's certificate; empty: the JVM's CAs")
    String tlsCa = "";

    @Option(names = "--tls-client-cert", defaultValue = "",
        description = "with --tls: PEM client certificate for a node with --tls-client-ca (needs --tls-client-key)")
    String tlsClientCert = "";

    @Option(names = "--tls-client-key", defaultValue = "",
        description = "with --tls: PEM (PKCS#8) key of --tls-client-cert")
    String tlsClientKey = "";

    @Option(names = "--run-id", defaultValue = "",
        description = "prefix of this run's SKU and reservation names; empty: derived from the clock")
    String runId = "";

    @Option(names = "--no-audit", description = "skip the store audit after the run")
    boolean noAudit;

    @Option(names = "--no-progress", description = "no per-second progress lines")
    boolean noProgress;

    /** Derived in {@link #conclude()}. */
    List<TargetKind> targetKinds;
    List<Integer> targetPorts;
    Skew skewKind;
    /** The TLS of the Stockgrid targets, or null (plain text). */
    ClientTls clientTls;

    /** Checks every flag; fills the derived fields. */
    LoadOptions conclude()
    {
        targetKinds = new ArrayList<>();
        for (final String t : targets)
        {
            try
            {
                targetKinds.add(TargetKind.of(t));
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid("--target", String.join(",", targets), ex.getMessage());
            }
        }
        if (targetKinds.isEmpty())
        {
            throw invalid("--target", "", "names no target");
        }
        targetPorts = new ArrayList<>();
        if (ports.equals("auto"))
        {
            for (final TargetKind kind : targetKinds)
            {
                targetPorts.add(kind.defaultPort());
            }
        }
        else
        {
            final String[] parts = ports.split(",");
            if (parts.length != targetKinds.size())
            {
                throw invalid("--port", ports, "must give one port per target (" + targetKinds.size() + ")");
            }
            for (final String p : parts)
            {
                try
                {
                    final int port = Integer.parseInt(p.trim());
                    if (port < 1 || port > 65_535)
                    {
                        throw new NumberFormatException();
                    }
                    targetPorts.add(port);
                }
                catch (final NumberFormatException ex)
                {
                    throw invalid("--port", ports, "must be ports in 1..65535");
                }
            }
        }
        try
        {
            skewKind = Skew.valueOf(skew.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid("--skew", skew, "must be uniform, zipf or hot");
        }
        if (host.isBlank())
        {
            throw invalid("--host", host, "must not be empty");
        }
        range("--duration", durationSeconds, 1, 86_400);
        range("--warmup", warmupSeconds, 0, 3_600);
        range("--ramp", rampSeconds, 0, 3_600);
        range("--rate", rate, 0, 10_000_000);
        range("--connections", connections, 1, 1_024);
        range("--window", window, 1, 4_096);
        range("--backlog", backlog, 0, 1_000_000);
        if (httpSpread && (long)connections * window > 1_024)
        {
            throw invalid("--http-spread", connections + " x " + window,
                "opens --connections x --window HTTP connections, at most 1024");
        }
        range("--io-threads", ioThreads, 1, 64);
        range("--skus", skus, 1, 1_000_000);
        range("--stock", stock, 0, 1_000_000_000);
        range("--quantity", quantity, 1, 1_000_000);
        range("--lines", lines, 1, 100);
        range("--ttl", ttlSeconds, 1, 86_400);
        range("--timeout", timeoutMs, 1, 600_000);
        range("--max-requests", maxRequests, 1, 1_000_000_000);
        if (!(zipfExponent > 0 && zipfExponent <= 10))
        {
            throw invalid("--zipf-exponent", Double.toString(zipfExponent), "must be in (0, 10]");
        }
        share("--retry-share", retryShare);
        share("--commit-share", commitShare);
        share("--release-share", releaseShare);
        if (retryShare + commitShare + releaseShare > 1)
        {
            throw invalid("--retry-share + --commit-share + --release-share",
                Double.toString(retryShare + commitShare + releaseShare), "must be at most 1");
        }
        if (lines > skus)
        {
            throw invalid("--lines", Integer.toString(lines), "cannot exceed --skus (" + skus + ")");
        }
        if (skewKind == Skew.HOT && lines != 1)
        {
            throw invalid("--lines", Integer.toString(lines), "must be 1 with --skew hot");
        }
        concludeTls();
        if (runId.isEmpty())
        {
            runId = Long.toString(System.currentTimeMillis(), 36);
        }
        if (!runId.matches("[A-Za-z0-9]{1,16}"))
        {
            throw invalid("--run-id", runId, "must be 1..16 letters or digits");
        }
        return this;
    }

    /** --tls and its files: checked here (the context is built once here too), so a bad file is a bad flag. */
    private void concludeTls()
    {
        if (!tls)
        {
            if (!tlsCa.isEmpty() || !tlsClientCert.isEmpty() || !tlsClientKey.isEmpty())
            {
                throw invalid("--tls-ca/--tls-client-cert/--tls-client-key", "", "need --tls");
            }
            clientTls = null;
            return;
        }
        if (targetKinds.contains(TargetKind.REDIS))
        {
            throw invalid("--tls", "true", "is for the Stockgrid targets (http, binary), not redis");
        }
        if (tlsClientCert.isEmpty() != tlsClientKey.isEmpty())
        {
            throw invalid("--tls-client-cert/--tls-client-key", tlsClientCert + "/" + tlsClientKey,
                "must be given together");
        }
        ClientTls chosen = tlsCa.isEmpty() ? ClientTls.trustingDefaultCas() : ClientTls.trusting(Path.of(tlsCa));
        if (!tlsClientCert.isEmpty())
        {
            chosen = chosen.withClientCertificate(Path.of(tlsClientCert), Path.of(tlsClientKey));
        }
        chosen.newContext();
        clientTls = chosen;
    }

    boolean closedLoop()
    {
        return rate == 0;
    }

    /**
     * The workload of the {@code target}-th target of this run. Each target gets its own SKU and reservation names
     * (the run id plus the target's index): two targets may be one store (the binary and HTTP doors of one node),
     * and the second must not replay the first one's reservations.
     */
    Workload workload(final int target)
    {
        return new Workload(runId + "t" + target, skus, skewKind, zipfExponent, lines, quantity, stock, ttlSeconds,
            seed);
    }

    private static void range(final String flag, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw invalid(flag, Long.toString(value), "must be in " + min + ".." + max);
        }
    }

    private static void share(final String flag, final double value)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw invalid(flag, Double.toString(value), "must be in 0..1");
        }
    }

    private static IllegalArgumentException invalid(final String flag, final String value, final String rule)
    {
        return new IllegalArgumentException(flag + " = '" + value + "' " + rule);
    }
}
