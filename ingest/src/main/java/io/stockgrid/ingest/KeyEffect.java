package io.stockgrid.ingest;

/**
 * What one mutation did to one (sku, location) record: the version it produced, the record's scalars after it
 * (an after-image), and the change itself. Journaled with every outcome; replay orders them by version per key.
 *
 * @param kind        what happened.
 * @param ref         the reservationId, eventId or returnId behind the change; empty for SET.
 * @param quantity    units held, released, committed or returned; the delta of an ADJUST; 0 for SET.
 * @param expiresAtMs the hold's expiry for HOLD, else 0.
 * @param atMs        when the grid applied it (epoch ms); dedupe memories age from it.
 */
public record KeyEffect(
    String sku,
    String location,
    long version,
    long onHand,
    long safetyStock,
    long reserved,
    Kind kind,
    String ref,
    long quantity,
    long expiresAtMs,
    long atMs)
{
    public enum Kind
    {
        SET,
        ADJUST,
        HOLD,
        RELEASE,
        EXPIRE,
        COMMIT,
        RETURN_RESTOCK,
        RETURN_DAMAGED;

        private static final Kind[] VALUES = values();

        public static Kind of(final int ordinal)
        {
            return VALUES[ordinal];
        }
    }

    public StockKeyRef key()
    {
        return new StockKeyRef(sku, location);
    }
}
