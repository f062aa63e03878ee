package io.stockgrid.ingest;

import java.util.List;

/** State rebuilt from the journal, loaded into an empty grid before the node takes traffic. */
public record RecoveredState(List<Key> keys, List<ReservationState> reservations)
{
    /** One (sku, location) record as the journal left it. */
    public record Key(String sku, String location, long onHand, long safetyStock, long version, List<Hold> holds,
        List<SeenRequest> seen)
    {
        public long reserved()
        {
            long sum = 0;
            for (final Hold hold : holds)
            {
                sum += hold.quantity();
            }
            return sum;
        }
    }

    public record Hold(String reservationId, long quantity, long expiresAtMs)
    {
    }

    /**
     * An eventId or returnId remembered for deduplication, with when it was applied and a fingerprint of what it
     * asked for (see {@link #adjustFingerprint} and {@link #returnFingerprint}).
     */
    public record SeenRequest(String id, long atMs, long fingerprint)
    {
    }

    /** eventIds and returnIds are remembered under these keys, so one never answers for the other. */
    public static String adjustKey(final String eventId)
    {
        return "adjust:" + eventId;
    }

    public static String returnKey(final String returnId)
    {
        return "return:" + returnId;
    }

    public static long adjustFingerprint(final long delta)
    {
        return delta;
    }

    public static long returnFingerprint(final long quantity, final boolean restock)
    {
        return (quantity << 1) | (restock ? 0 : 1);
    }
}
