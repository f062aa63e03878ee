package io.stockgrid.ingest;

/**
 * A mutation was refused because this member sees fewer members than the configured minimum cluster size: it may be
 * on the minority side of a network split, where changing stock could oversell. Nothing was changed; reads still
 * answer.
 */
public final class NoQuorum extends RuntimeException
{
    public static final NoQuorum INSTANCE = new NoQuorum();
    /** The grid's own refusal, which the ingest recognises by name (it does not depend on Hazelcast). */
    private static final String GRID_REFUSAL = "com.hazelcast.splitbrainprotection.SplitBrainProtectionException";

    private NoQuorum()
    {
        super("fewer members than the minimum cluster size", null, false, false);
    }

    /** True if {@code error} or one of its causes is a quorum refusal. */
    public static boolean isCauseOf(final Throwable error)
    {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause())
        {
            if (t instanceof NoQuorum || GRID_REFUSAL.equals(t.getClass().getName()))
            {
                return true;
            }
        }
        return false;
    }
}
