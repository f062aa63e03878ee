package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * RESERVE (type 13), client to node: hold every line or none, as HTTP's {@code POST /v1/reservations}; the
 * reservationId is the idempotency key. Answered by RESERVATION (HELD, or REJECTED with the short lines) or ERROR.
 * Block length 8, then reservationId, correlationId, and Line Count lines.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Ttl Seconds (int32)                     |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Line Count (uint16)      |     Unused (uint16, zero)     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Res. Id Len   |  Reservation Id (ASCII, 1..128)              ...  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Corr. Id Len  |  Correlation Id (ASCII, 0..128, 0 = none)    ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Line Count times:                                            |
 *  |  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 *  |  |                   Quantity (int64)                      |  |
 *  |  |                                                         |  |
 *  |  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 *  |  | Sku Length    |  Sku (ASCII, 1..64)                    ... |
 *  |  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 *  |  | Location Len  |  Location (ASCII, 1..64)               ... |
 *  |  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * ttlSeconds is 1..86,400 (there is no default on the wire; HTTP's is 900); 1..100 lines, each quantity
 * 1..1,000,000 and each (sku, location) at most once; the correlationId is printable ASCII without spaces and is
 * not part of the idempotency fingerprint.
 */
public final class ReserveDescriptor
{
    public static final int TTL_SECONDS_OFFSET = 0;
    public static final int LINE_COUNT_OFFSET = 4;
    public static final int UNUSED_OFFSET = 6;
    public static final int BLOCK_LENGTH = 8;
    public static final int RESERVATION_ID_OFFSET = BLOCK_LENGTH;
    public static final int LINE_QUANTITY_LENGTH = 8;
    public static final int LINE_LENGTH_MAX = LINE_QUANTITY_LENGTH + 2 * (1 + Limits.KEY_PART_CHARS_MAX);
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        1 + Limits.REQUEST_ID_CHARS_MAX + 1 + Limits.CORRELATION_ID_CHARS_MAX + Limits.LINES_MAX * LINE_LENGTH_MAX;

    private ReserveDescriptor()
    {
    }
}
