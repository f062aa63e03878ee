package io.stockgrid.node;

/**
 * Every setting of a node: its command-line flag, environment variable, config-file key, default and meaning.
 * This table is the single source for parsing, {@code --help}, and the README's configuration table.
 * Precedence, highest first: command line, environment, config file ({@code --config}), default.
 */
public enum Setting
{
    HTTP_PORT("http-port", "8080", "HTTP port (0 picks a free one)"),
    BINARY_PORT("binary-port", "7070", "binary protocol port (0 picks a free one); see docs/protocol.md"),
    BINARY_MAX_FRAME_BYTES("binary-max-frame-bytes", "65536",
        "largest binary message accepted, 32768..16777216 bytes; a larger frame closes the connection"),
    BIND_ADDRESS("bind-address", "127.0.0.1", "interface the HTTP and binary doors and the Hazelcast member bind to"),
    DATA_DIR("data-dir", "./data", "directory of the journal and the node's lock file"),
    CONFIG("config", "", "a properties file of these settings (keys as the flags, without the dashes)"),
    MEMBER_PORT("member-port", "5701",
        "Hazelcast member port; in a cluster (--members or --discovery kubernetes) exactly this one, else the first "
            + "tried (the next free one is taken)"),
    CLUSTER_NAME("cluster-name", "stockgrid", "Hazelcast cluster name; members join only their own"),
    MEMBERS("members", "",
        "TCP-IP join: comma-separated host:port of the cluster's members (empty: a single node, unless discovery)"),
    DISCOVERY("discovery", "none", "none (use --members) or kubernetes (DNS lookup of --kubernetes-service-dns)"),
    KUBERNETES_SERVICE_DNS("kubernetes-service-dns", "",
        "headless Service DNS name for kubernetes discovery, e.g. stockgrid.default.svc.cluster.local"),
    PUBLIC_ADDRESS("public-address", "", "host:port other members use to reach this one (empty: bind address)"),
    MIN_CLUSTER_SIZE("min-cluster-size", "1",
        "members needed to accept mutations (set a majority); fewer: 503 NO_QUORUM, reads still answer"),
    SNAPSHOT_INTERVAL_SECONDS("snapshot-interval-seconds", "300",
        "how often the node snapshots the records it owns into its journal (0: never)"),
    JOURNAL_RETENTION_CYCLES("journal-retention-cycles", "2",
        "journal cycle files kept before the last complete snapshot's; older ones are deleted"),
    RESTORE_WAIT_SECONDS("restore-wait-seconds", "0",
        "full restart: how long to wait for the members last seen before restoring without them (0: forever)"),
    JOURNAL_DURABILITY("journal-durability", "mapped",
        "mapped: survive a process crash; sync: also msync each append, survive an OS crash"),
    MAX_IN_FLIGHT("max-in-flight", "4096", "requests admitted at once; beyond it 503 OVERLOADED with Retry-After"),
    WORKER_THREADS("worker-threads", "32", "threads that run call flows against the grid"),
    IO_THREADS("io-threads", "2", "Netty event-loop threads of each door (HTTP, binary)"),
    PARTITIONS("partitions", "17",
        "grid partitions, 1..1024; fewer, larger partitions put more commands in each grid operation (less CPU per "
            + "call), more spread load and migration finer over many members; the same on every member (a member of "
            + "another count cannot join)"),
    RESERVATIONS_FORMAT("reservations-format", "binary",
        "how the grid stores reservation records: binary (serialised, in each partition's byte arena) or object (live "
            + "objects: more heap per reservation and longer young pauses); set it alike on every member"),
    TRANSPORT("transport", "auto",
        "Netty transport of both doors: auto (native epoll on Linux x86_64 or aarch64, else nio), epoll or nio"),
    IDEMPOTENCY_RETENTION_HOURS("idempotency-retention-hours", "24",
        "how long reservation outcomes, eventIds and returnIds are remembered"),
    MAX_RESERVATIONS("max-reservations", "auto",
        "reservations the cluster remembers at most (held, settled or rejected, until their retention ends); a "
            + "partition past a quarter over its even share answers a new one 503 (retry later); auto: this member's "
            + "heap / 2 / 1 KiB; set it alike on every member"),
    EXPIRY_SWEEP_INTERVAL_MS("expiry-sweep-interval-ms", "200", "how often expired holds are returned"),
    EXPIRY_SWEEP_BATCH("expiry-sweep-batch", "10000", "most reservations expired by one sweep"),
    DRAIN_TIMEOUT_SECONDS("drain-timeout-seconds", "30", "on SIGTERM, how long in-flight requests may take"),
    AUTH_KEYS("auth-keys", "",
        "JSON file of API keys (ids, secret SHA-256s, scopes, rate limits; see docs/operations.md), re-read when it "
            + "changes; empty: no keys, allowed only on a loopback --bind-address or with --auth none"),
    AUTH("auth", "keys",
        "keys: calls need a key from --auth-keys (with none given, serve unauthenticated on loopback only); none: "
            + "no authentication on any address"),
    AUTH_PUBLIC_METRICS("auth-public-metrics", "true",
        "true: /metrics and /v1/openapi.yaml answer without a key; false: they need a key with scope read"),
    TLS_CERT("tls-cert", "",
        "PEM certificate chain (the node's first): with --tls-key, both doors speak TLS 1.2+ only (HTTPS, binary over "
            + "TLS); re-read when it changes; empty: plain text"),
    TLS_KEY("tls-key", "", "PEM private key of --tls-cert (unencrypted PKCS#8, BEGIN PRIVATE KEY); re-read with it"),
    TLS_CLIENT_CA("tls-client-ca", "",
        "PEM certificates of the CAs whose client certificates are accepted: set, both doors require one (mutual "
            + "TLS); needs --tls-cert");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(final String key, final String defaultValue, final String description)
    {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** The config-file key; the flag is {@code --key}. */
    public String key()
    {
        return key;
    }

    public String flag()
    {
        return "--" + key;
    }

    public String env()
    {
        return "STOCKGRID_" + name();
    }

    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }

    public static Setting ofKey(final String key)
    {
        for (final Setting s : values())
        {
            if (s.key.equals(key))
            {
                return s;
            }
        }
        return null;
    }
}
