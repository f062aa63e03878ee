package io.stockgrid.ingest;

/**
 * What a request asks of the node, whichever door it came through. The label is the metric label and the {@code op}
 * of a request log line; it is the same string as the HTTP route's endpoint label.
 */
public enum Operation
{
    SET_STOCK("set_stock", true),
    ADJUST_STOCK("adjust_stock", true),
    RETURN("return", true),
    RESERVE("reserve", true),
    COMMIT("commit", true),
    RELEASE("release", true),
    GET_RESERVATION("get_reservation", false),
    AVAILABILITY("availability", false),
    SKU_AVAILABILITY("sku_availability", false);

    private static final Operation[] VALUES = values();

    private final String label;
    private final boolean mutating;

    Operation(final String label, final boolean mutating)
    {
        this.label = label;
        this.mutating = mutating;
    }

    public String label()
    {
        return label;
    }

    /** True for the operations that change state: each gets a request log line. */
    public boolean mutating()
    {
        return mutating;
    }

    static int count()
    {
        return VALUES.length;
    }
}
