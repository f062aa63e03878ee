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
        SET(0),
        ADJUST(1),
        HOLD(2),
        RELEASE(3),
        EXPIRE(4),
        COMMIT(5),
        RETURN_RESTOCK(6),
        RETURN_DAMAGED(7);

        /** Kinds by code, built once; null where no kind has that code. */
        private static final Kind[] BY_CODE = byCode();

        private final int code;

        Kind(final int code)
        {
            this.code = code;
        }

        /**
         * The number this kind is journaled and sent between members as (one byte, 0..127). It is fixed here rather
         * than taken from {@link #ordinal()}, so adding or reordering constants cannot change what a journal already
         * on disk, or a member of the previous build, means by it. The codes are the ordinals they replaced; never
         * reuse one.
         */
        public int code()
        {
            return code;
        }

        /** The kind with this {@link #code()}; an unknown code (a damaged record, a newer build) is refused. */
        public static Kind of(final int code)
        {
            final Kind kind = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
            if (kind == null)
            {
                throw new IllegalArgumentException("unknown KeyEffect.Kind code " + code);
            }
            return kind;
        }

        private static Kind[] byCode()
        {
            final Kind[] byCode = new Kind[Byte.MAX_VALUE + 1];
            for (final Kind k : values())
            {
                if (k.code < 0 || k.code > Byte.MAX_VALUE || byCode[k.code] != null)
                {
                    throw new IllegalStateException("KeyEffect.Kind code " + k.code + " of " + k + " is out of range"
                        + " or taken");
                }
                byCode[k.code] = k;
            }
            return byCode;
        }
    }

    public StockKeyRef key()
    {
        return new StockKeyRef(sku, location);
    }
}
