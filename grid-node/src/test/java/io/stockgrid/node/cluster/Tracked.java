package io.stockgrid.node.cluster;

import java.util.Set;

/**
 * What the client was told about one reservationId, and what it asked for: its lines, the answer to its creating
 * call (acknowledged, or in doubt when no definitive answer came), and the same for its commit or release, if any.
 * The statuses a reader may see afterwards follow from these alone ({@link #allowedStatuses}).
 */
public final class Tracked
{
    public enum Call
    {
        /** Not made (no settle for this reservation). */
        NONE,
        /** Made; no answer yet. */
        IN_FLIGHT,
        /** Answered definitively. */
        ACKED,
        /** Given up without a definitive answer: it may or may not have taken effect. */
        IN_DOUBT
    }

    /** A reservation that no node knows (404). */
    public static final String NONE = "NONE";

    final String id;
    final String body;
    final int[] keys;
    final long[] quantities;
    volatile Call reserve = Call.IN_FLIGHT;
    /** HELD or REJECTED when the reserve was acknowledged. */
    volatile String reserveStatus;
    volatile int reserveHttpStatus;
    volatile String reserveAnswer;
    /** "commit" or "release", or null. */
    volatile String settleAction;
    volatile Call settle = Call.NONE;
    /** The status the settle's answer named (COMMITTED, RELEASED, or for a 409 the status it was in). */
    volatile String settleStatus;
    volatile int attempts;
    /** Where the attempts went and what each met, first few and last (for the evidence of a violation). */
    private final StringBuilder trail = new StringBuilder();
    private int trailEntries;
    private String lastTrailEntry;
    private static final int TRAIL_ENTRIES_MAX = 8;

    Tracked(final String id, final String body, final int[] keys, final long[] quantities)
    {
        this.id = id;
        this.body = body;
        this.keys = keys;
        this.quantities = quantities;
    }

    public String id()
    {
        return id;
    }

    /** The status the client was last told, if that answer is the reservation's latest word; null otherwise. */
    public String acknowledgedStatus()
    {
        if (reserve != Call.ACKED)
        {
            return null;
        }
        if (settle == Call.NONE)
        {
            return reserveStatus;
        }
        return settle == Call.ACKED ? settleStatus : null;
    }

    public boolean inDoubt()
    {
        return reserve == Call.IN_DOUBT || settle == Call.IN_DOUBT;
    }

    /**
     * Every status a reader may see given what was acknowledged. With {@code expiryPossible}, a hold may also have
     * expired since.
     */
    public Set<String> allowedStatuses(final boolean expiryPossible)
    {
        if (reserve != Call.ACKED)
        {
            return expiryPossible ? Set.of(NONE, "HELD", "REJECTED", "EXPIRED") : Set.of(NONE, "HELD", "REJECTED");
        }
        if ("REJECTED".equals(reserveStatus))
        {
            return Set.of("REJECTED");
        }
        if (settle == Call.NONE)
        {
            return expiryPossible ? Set.of("HELD", "EXPIRED") : Set.of("HELD");
        }
        if (settle == Call.ACKED)
        {
            return Set.of(settleStatus);
        }
        final String target = "commit".equals(settleAction) ? "COMMITTED" : "RELEASED";
        return expiryPossible ? Set.of("HELD", target, "EXPIRED") : Set.of("HELD", target);
    }

    /** Notes one attempt: which call, at which node, what it met, when (ms on the scenario's timeline). */
    synchronized void note(final String call, final int port, final String met, final long atMs)
    {
        final String entry = call + "@:" + port + "=" + met + "@" + atMs + "ms";
        if (trailEntries++ < TRAIL_ENTRIES_MAX)
        {
            trail.append(trail.length() == 0 ? "" : "; ").append(entry);
        }
        else
        {
            lastTrailEntry = entry;
        }
    }

    public synchronized String trail()
    {
        return trail + (lastTrailEntry == null ? "" : "; ... (" + trailEntries + " in all) ...; " + lastTrailEntry);
    }

    public String describe()
    {
        return id + " (reserve " + reserve + (reserveStatus == null ? "" : " " + reserveStatus)
            + (settleAction == null ? "" : ", " + settleAction + " " + settle
            + (settleStatus == null ? "" : " " + settleStatus)) + ", " + attempts + " attempts: " + trail() + ")";
    }
}
