package io.stockgrid.bench.load;

/** What one request asks of the store: the three load operations, then the set-up and audit reads. */
enum Op
{
    RESERVE("reserve"),
    COMMIT("commit"),
    RELEASE("release"),
    SET_STOCK("set-stock"),
    READ_STOCK("read-stock"),
    READ_RESERVATION("read-reservation");

    /** The load operations, whose latency is recorded: their ordinals are 0..LOAD_OPS - 1. */
    static final int LOAD_OPS = 3;

    private final String label;

    Op(final String label)
    {
        this.label = label;
    }

    String label()
    {
        return label;
    }

    boolean isLoad()
    {
        return ordinal() < LOAD_OPS;
    }
}
