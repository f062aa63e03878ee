package io.stockgrid.bench.load;

/**
 * The stores the generator can drive. Adding one is one {@link Target} class and one line in {@link #create}.
 */
enum TargetKind
{
    HTTP(8080),
    REDIS(6379),
    BINARY(7070);

    private final int defaultPort;

    TargetKind(final int defaultPort)
    {
        this.defaultPort = defaultPort;
    }

    int defaultPort()
    {
        return defaultPort;
    }

    static TargetKind of(final String name)
    {
        for (final TargetKind kind : values())
        {
            if (kind.name().equalsIgnoreCase(name.trim()))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown target '" + name + "': use http, redis or binary");
    }

    /** A target of this kind; nothing is connected yet. */
    Target create(final String host, final int port, final LoadOptions options, final Workload workload)
    {
        switch (this)
        {
            case HTTP:
                // --http-spread: as many requests in flight, each on its own connection.
                return new HttpTarget(host, port,
                    options.httpSpread ? options.connections * options.window : options.connections,
                    options.httpSpread ? 1 : options.window, options.backlog,
                    options.ioThreads, workload, options.apiKey.isEmpty() ? null : options.apiKey, options.clientTls);
            case REDIS:
                return new RedisTarget(host, port, options.connections, options.window, options.backlog,
                    options.ioThreads, workload);
            case BINARY:
                return new BinaryTarget(host, port, options.connections, options.window, options.backlog,
                    options.ioThreads, workload, options.apiKey.isEmpty() ? null : options.apiKey, options.clientTls);
            default:
                throw new IllegalStateException("unknown target " + this);
        }
    }
}
