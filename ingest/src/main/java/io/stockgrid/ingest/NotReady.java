package io.stockgrid.ingest;

/** The node is still recovering (or shutting down) and takes no traffic. */
public final class NotReady extends RuntimeException
{
    public static final NotReady INSTANCE = new NotReady();

    private NotReady()
    {
        super("node not ready", null, false, false);
    }
}
