package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * ADJUST (type 11), client to node: a relative stock change, applied once per eventId, as HTTP's
 * {@code POST /v1/stock/{sku}/{location}/adjustments}. Answered by AVAILABILITY. Block length 8, then sku,
 * location, eventId and reason.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Delta (int64)                        |  0
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Sku Length    |  Sku (ASCII, 1..64)                          ...  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Location Len  |  Location (ASCII, 1..64)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Event Id Len  |  Event Id (ASCII, 1..128)                    ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Reason Length (uint16)    |  Reason (UTF-8, 0..1024)     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * delta is -1,000,000,000..1,000,000,000 and not 0; reason is optional (length 0), at most 256 chars.
 */
public final class AdjustDescriptor
{
    public static final int DELTA_OFFSET = 0;
    public static final int BLOCK_LENGTH = 8;
    public static final int SKU_OFFSET = BLOCK_LENGTH;
    /** A reason of 256 chars is at most 1024 bytes of UTF-8 (a supplementary character is 2 chars, 4 bytes). */
    public static final int REASON_BYTES_MAX = 4 * Limits.REASON_CHARS_MAX;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        2 * (1 + Limits.KEY_PART_CHARS_MAX) + 1 + Limits.REQUEST_ID_CHARS_MAX + 2 + REASON_BYTES_MAX;

    private AdjustDescriptor()
    {
    }
}
