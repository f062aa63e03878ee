package io.stockgrid.ingest;

/**
 * The node's bounded in-flight work is full: the caller should try later. Stackless and shared: it carries no
 * information a stack trace would add, and overload is exactly when allocating one per request hurts most.
 */
public final class Overloaded extends RuntimeException
{
    public static final Overloaded INSTANCE = new Overloaded();

    private Overloaded()
    {
        super("in-flight bound reached", null, false, false);
    }
}
