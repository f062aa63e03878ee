package io.stockgrid.bench.load;

/**
 * A store under load, behind a few persistent connections. {@link #send} never blocks: the request goes out on one
 * of the connections (round robin) within that connection's in-flight window, and its {@link Completion} is told the
 * outcome exactly once, on an I/O thread. The same interface serves the load operations, setting the initial stock,
 * and the final audit's reads, so that every target is driven and checked the same way.
 */
interface Target extends AutoCloseable
{
    /** "http", "redis": the name used in summaries, file names and charts. */
    String name();

    /** A human description of what this target is, e.g. "Stockgrid HTTP v1". */
    String description();

    /** Opens every connection (and loads scripts); throws with a message naming the endpoint if it cannot. */
    void connect() throws Exception;

    void send(Request request);

    /** Requests sent or queued and not yet answered. */
    int outstanding();

    @Override
    void close();
}
