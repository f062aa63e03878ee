package io.stockgrid.node;

import io.netty.channel.epoll.Epoll;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.transport.Transport;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.auth.KeyFile;
import io.stockgrid.ingest.tls.ServerTls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A node's settings, resolved from command line, environment, config file and defaults, and checked all at once in
 * {@link #conclude()}, with messages that name the setting and its value.
 */
public final class NodeConfig
{
    private final EnumMap<Setting, String> values = new EnumMap<>(Setting.class);

    int httpPort;
    int binaryPort;
    int binaryMaxFrameBytes;
    String bindAddress;
    Path dataDir;
    int memberPort;
    /**
     * True when the node is one of a cluster (--members or kubernetes discovery): the others reach it at exactly
     * --member-port, so a taken port ends the start. A node on its own takes the next free port instead, so that
     * several single nodes (and tests) can share a host.
     */
    boolean memberPortFixed;
    String clusterName;
    Journal.Durability journalDurability;
    int maxInFlight;
    int workerThreads;
    int ioThreads;
    Transport transport;
    boolean reservationsAsObjects;
    long idempotencyRetentionMs;
    /** The bound on remembered reservations, cluster-wide ({@code --max-reservations}). */
    long maxReservations;
    long expirySweepIntervalMs;
    int expirySweepBatch;
    long drainTimeoutMs;
    /** The keys file, or null: then no keys are checked (only allowed on loopback, or with --auth none). */
    Path authKeys;
    /** True with --auth none: no authentication even off loopback (the operator said so). */
    boolean authNone;
    boolean authPublicMetrics;
    /** The doors' certificate chain and key (PEM), or null: plain text. */
    Path tlsCert;
    Path tlsKey;
    /** The CAs of accepted client certificates (PEM), or null: no client certificate asked for. */
    Path tlsClientCa;
    List<String> members;
    String discovery;
    String kubernetesServiceDns;
    String publicAddress;
    int minClusterSize;
    int partitions;
    long snapshotIntervalMs;
    int journalRetentionCycles;
    long restoreWaitMs;

    public NodeConfig()
    {
        for (final Setting s : Setting.values())
        {
            values.put(s, s.defaultValue());
        }
    }

    public NodeConfig set(final Setting setting, final String value)
    {
        values.put(setting, value);
        return this;
    }

    public String get(final Setting setting)
    {
        return values.get(setting);
    }

    /**
     * Resolves settings from the given sources; precedence command line, environment, config file, default.
     *
     * @throws ConfigException on an unknown flag, a missing value, an unreadable file, or an invalid value.
     */
    public static NodeConfig resolve(final String[] args, final Map<String, String> env)
    {
        final EnumMap<Setting, String> cli = new EnumMap<>(Setting.class);
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new ConfigException("unexpected argument '" + arg + "' (flags look like --http-port 8080)");
            }
            final int eq = arg.indexOf('=');
            final String key = arg.substring(2, eq < 0 ? arg.length() : eq);
            final Setting setting = Setting.ofKey(key);
            if (setting == null)
            {
                throw new ConfigException("unknown flag --" + key + " (see --help)");
            }
            final String value;
            if (eq >= 0)
            {
                value = arg.substring(eq + 1);
            }
            else if (i + 1 < args.length)
            {
                value = args[++i];
            }
            else
            {
                throw new ConfigException("flag --" + key + " needs a value");
            }
            cli.put(setting, value);
        }

        final NodeConfig config = new NodeConfig();
        String file = cli.get(Setting.CONFIG);
        if (file == null)
        {
            file = env.get(Setting.CONFIG.env());
        }
        if (file != null && !file.isBlank())
        {
            final Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8))
            {
                properties.load(reader);
            }
            catch (final IOException ex)
            {
                throw new ConfigException("config: cannot read '" + file + "': " + ex.getMessage());
            }
            for (final String key : properties.stringPropertyNames())
            {
                final Setting setting = Setting.ofKey(key);
                if (setting == null || setting == Setting.CONFIG)
                {
                    throw new ConfigException("config file '" + file + "': unknown key '" + key + "'");
                }
                config.set(setting, properties.getProperty(key).trim());
            }
        }
        for (final Setting s : Setting.values())
        {
            final String fromEnv = env.get(s.env());
            if (fromEnv != null)
            {
                config.set(s, fromEnv);
            }
        }
        cli.forEach(config::set);
        return config.conclude();
    }

    /** Checks every setting once and fixes the typed values. */
    public NodeConfig conclude()
    {
        httpPort = intIn(Setting.HTTP_PORT, 0, 65_535);
        binaryPort = intIn(Setting.BINARY_PORT, 0, 65_535);
        binaryMaxFrameBytes = intIn(Setting.BINARY_MAX_FRAME_BYTES, FrameDescriptor.MAX_FRAME_BYTES_MIN,
            FrameDescriptor.MAX_FRAME_BYTES_MAX);
        if (httpPort != 0 && httpPort == binaryPort)
        {
            throw invalid(Setting.BINARY_PORT, "must differ from " + Setting.HTTP_PORT.flag() + " (" + httpPort + ")");
        }
        bindAddress = nonBlank(Setting.BIND_ADDRESS);
        dataDir = Path.of(nonBlank(Setting.DATA_DIR));
        memberPort = intIn(Setting.MEMBER_PORT, 1, 65_535);
        if (memberPort == httpPort || memberPort == binaryPort)
        {
            throw invalid(Setting.MEMBER_PORT, "must differ from " + Setting.HTTP_PORT.flag() + " and "
                + Setting.BINARY_PORT.flag());
        }
        clusterName = nonBlank(Setting.CLUSTER_NAME);
        final String durability = nonBlank(Setting.JOURNAL_DURABILITY);
        journalDurability = switch (durability)
        {
            case "mapped" -> Journal.Durability.MAPPED;
            case "sync" -> Journal.Durability.SYNC;
            default -> throw invalid(Setting.JOURNAL_DURABILITY, "must be 'mapped' or 'sync'");
        };
        maxInFlight = intIn(Setting.MAX_IN_FLIGHT, 1, 1_000_000);
        workerThreads = intIn(Setting.WORKER_THREADS, 1, 1_024);
        ioThreads = intIn(Setting.IO_THREADS, 1, 256);
        reservationsAsObjects = switch (nonBlank(Setting.RESERVATIONS_FORMAT))
        {
            case "binary" -> false;
            case "object" -> true;
            default -> throw invalid(Setting.RESERVATIONS_FORMAT, "must be 'binary' or 'object'");
        };
        try
        {
            transport = Transport.parse(nonBlank(Setting.TRANSPORT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw invalid(Setting.TRANSPORT, "must be 'auto', 'epoll' or 'nio'");
        }
        if (transport == Transport.EPOLL && !Epoll.isAvailable())
        {
            throw invalid(Setting.TRANSPORT, "epoll is not available here (" + Epoll.unavailabilityCause()
                + "); use 'auto' or 'nio'");
        }
        idempotencyRetentionMs = intIn(Setting.IDEMPOTENCY_RETENTION_HOURS, 24, 24 * 365) * 3_600_000L;
        // auto: about 1 KiB of heap per remembered reservation (its bytes in the arena and on a backup, the index,
        // the arena's garbage between compactions; docs/operations.md, "Capacity notes"), half the heap for them.
        maxReservations = "auto".equals(nonBlank(Setting.MAX_RESERVATIONS)) ?
            Math.max(1_000, Runtime.getRuntime().maxMemory() / 2 / 1_024) :
            intIn(Setting.MAX_RESERVATIONS, 1, Integer.MAX_VALUE);
        expirySweepIntervalMs = intIn(Setting.EXPIRY_SWEEP_INTERVAL_MS, 10, 1_000);
        expirySweepBatch = intIn(Setting.EXPIRY_SWEEP_BATCH, 1, 1_000_000);
        drainTimeoutMs = intIn(Setting.DRAIN_TIMEOUT_SECONDS, 0, 3_600) * 1_000L;
        concludeAuth();
        concludeTls();
        members = new ArrayList<>();
        for (final String member : values.get(Setting.MEMBERS).split(","))
        {
            final String m = member.trim();
            if (m.isEmpty())
            {
                continue;
            }
            final int colon = m.lastIndexOf(':');
            if (colon <= 0 || !isPort(m.substring(colon + 1)))
            {
                throw invalid(Setting.MEMBERS, "must be host:port entries separated by commas ('" + m + "' is not)");
            }
            members.add(m);
        }
        discovery = nonBlank(Setting.DISCOVERY);
        if (!discovery.equals("none") && !discovery.equals("kubernetes"))
        {
            throw invalid(Setting.DISCOVERY, "must be 'none' or 'kubernetes'");
        }
        kubernetesServiceDns = values.get(Setting.KUBERNETES_SERVICE_DNS).trim();
        if (discovery.equals("kubernetes"))
        {
            if (kubernetesServiceDns.isEmpty())
            {
                throw invalid(Setting.KUBERNETES_SERVICE_DNS, "must name the headless Service when "
                    + Setting.DISCOVERY.flag() + " is kubernetes");
            }
            if (!members.isEmpty())
            {
                throw invalid(Setting.MEMBERS, "must be empty when " + Setting.DISCOVERY.flag() + " is kubernetes");
            }
        }
        memberPortFixed = !members.isEmpty() || discovery.equals("kubernetes");
        publicAddress = values.get(Setting.PUBLIC_ADDRESS).trim();
        if (!publicAddress.isEmpty())
        {
            final int colon = publicAddress.lastIndexOf(':');
            if (colon <= 0 || !isPort(publicAddress.substring(colon + 1)))
            {
                throw invalid(Setting.PUBLIC_ADDRESS, "must be host:port");
            }
        }
        minClusterSize = intIn(Setting.MIN_CLUSTER_SIZE, 1, 271);
        partitions = intIn(Setting.PARTITIONS, 1, 1_024);
        snapshotIntervalMs = intIn(Setting.SNAPSHOT_INTERVAL_SECONDS, 0, 86_400) * 1_000L;
        journalRetentionCycles = intIn(Setting.JOURNAL_RETENTION_CYCLES, 1, 10_000);
        restoreWaitMs = intIn(Setting.RESTORE_WAIT_SECONDS, 0, 86_400) * 1_000L;
        return this;
    }

    /**
     * Secure by default: without a keys file the node serves unauthenticated only on a loopback bind address, where
     * nothing off the host can reach it; bound anywhere else it refuses to start unless {@code --auth none} says
     * that is meant.
     */
    private void concludeAuth()
    {
        authNone = switch (nonBlank(Setting.AUTH))
        {
            case "keys" -> false;
            case "none" -> true;
            default -> throw invalid(Setting.AUTH, "must be 'keys' or 'none'");
        };
        authPublicMetrics = switch (nonBlank(Setting.AUTH_PUBLIC_METRICS))
        {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(Setting.AUTH_PUBLIC_METRICS, "must be 'true' or 'false'");
        };
        final String keys = values.get(Setting.AUTH_KEYS).trim();
        authKeys = keys.isEmpty() ? null : Path.of(keys);
        if (authNone && authKeys != null)
        {
            throw invalid(Setting.AUTH_KEYS, "must be empty when " + Setting.AUTH.flag() + " is none");
        }
        if (authKeys != null && !Files.isReadable(authKeys))
        {
            throw invalid(Setting.AUTH_KEYS, "is not a readable file");
        }
        if (authKeys != null)
        {
            try
            {
                KeyFile.read(authKeys);
            }
            catch (final KeyFile.Invalid ex)
            {
                throw invalid(Setting.AUTH_KEYS, "cannot be used: " + ex.getMessage());
            }
        }
        if (authKeys == null && !authNone && !isLoopback(bindAddress))
        {
            throw invalid(Setting.BIND_ADDRESS, "is not a loopback address and no API keys are configured: give "
                + Setting.AUTH_KEYS.flag() + " FILE (see 'keys new'), or " + Setting.AUTH.flag()
                + " none to serve without authentication");
        }
    }

    /**
     * TLS is on with a certificate and its key, both or neither; client certificates need TLS. The files are loaded
     * here, so a certificate that cannot be used stops the start with a message naming the setting and the fault.
     */
    private void concludeTls()
    {
        tlsCert = optionalPath(Setting.TLS_CERT);
        tlsKey = optionalPath(Setting.TLS_KEY);
        tlsClientCa = optionalPath(Setting.TLS_CLIENT_CA);
        if ((tlsCert == null) != (tlsKey == null))
        {
            final Setting missing = tlsCert == null ? Setting.TLS_CERT : Setting.TLS_KEY;
            final Setting given = tlsCert == null ? Setting.TLS_KEY : Setting.TLS_CERT;
            throw invalid(missing, "must be set when " + given.flag() + " is (TLS needs the certificate and its key)");
        }
        if (tlsClientCa != null && tlsCert == null)
        {
            throw invalid(Setting.TLS_CLIENT_CA, "needs " + Setting.TLS_CERT.flag() + " and "
                + Setting.TLS_KEY.flag() + " (client certificates are checked by TLS)");
        }
        for (final Setting s : new Setting[] {Setting.TLS_CERT, Setting.TLS_KEY, Setting.TLS_CLIENT_CA})
        {
            final Path file = optionalPath(s);
            if (file != null && !Files.isReadable(file))
            {
                throw invalid(s, "is not a readable file");
            }
        }
        if (tlsCert != null)
        {
            try
            {
                ServerTls.load(tlsCert, tlsKey, tlsClientCa);
            }
            catch (final ServerTls.Invalid ex)
            {
                throw invalid(Setting.TLS_CERT, "cannot be used: " + ex.getMessage());
            }
        }
    }

    private Path optionalPath(final Setting s)
    {
        final String v = values.get(s).trim();
        return v.isEmpty() ? null : Path.of(v);
    }

    /** True if TLS is on for both doors. */
    public boolean tls()
    {
        return tlsCert != null;
    }

    /** True if every address the name stands for is loopback (a name that does not resolve is not). */
    static boolean isLoopback(final String address)
    {
        try
        {
            final java.net.InetAddress[] all = java.net.InetAddress.getAllByName(address);
            for (final java.net.InetAddress a : all)
            {
                if (!a.isLoopbackAddress())
                {
                    return false;
                }
            }
            return all.length > 0;
        }
        catch (final java.net.UnknownHostException ex)
        {
            return false;
        }
    }

    public int httpPort()
    {
        return httpPort;
    }

    public int binaryPort()
    {
        return binaryPort;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public int minClusterSize()
    {
        return minClusterSize;
    }

    private static boolean isPort(final String s)
    {
        try
        {
            final int port = Integer.parseInt(s);
            return port > 0 && port <= 65_535;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    private String nonBlank(final Setting s)
    {
        final String v = values.get(s);
        if (v == null || v.isBlank())
        {
            throw invalid(s, "must not be empty");
        }
        return v.trim();
    }

    private int intIn(final Setting s, final int min, final int max)
    {
        final String v = nonBlank(s);
        final int parsed;
        try
        {
            parsed = Integer.parseInt(v);
        }
        catch (final NumberFormatException ex)
        {
            throw invalid(s, "must be an integer in " + min + ".." + max);
        }
        if (parsed < min || parsed > max)
        {
            throw invalid(s, "must be in " + min + ".." + max);
        }
        return parsed;
    }

    private ConfigException invalid(final Setting s, final String rule)
    {
        return new ConfigException("setting " + s.flag() + " (" + s.env() + ") = '" + values.get(s) + "' " + rule);
    }

    /** A setting that cannot be used; the message says which and why. */
    public static final class ConfigException extends RuntimeException
    {
        ConfigException(final String message)
        {
            super(message);
        }
    }
}
