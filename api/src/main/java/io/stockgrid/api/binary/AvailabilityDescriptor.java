package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * AVAILABILITY (type 20), node to client: the availability of one (sku, location) after SET_STOCK, ADJUST or
 * RETURN, or as GET_AVAILABILITY asked; the same figures as HTTP's availability object, with
 * {@code available = max(0, onHand - reserved - safetyStock)}. Block length 32, then sku and location.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         On Hand (int64)                       |  0
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Safety Stock (int64)                     |  8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Reserved (int64)                       | 16
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Available (int64)                      | 24
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Sku Length    |  Sku (ASCII, 1..64)                          ...  32
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Location Len  |  Location (ASCII, 1..64)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class AvailabilityDescriptor
{
    public static final int ON_HAND_OFFSET = 0;
    public static final int SAFETY_STOCK_OFFSET = 8;
    public static final int RESERVED_OFFSET = 16;
    public static final int AVAILABLE_OFFSET = 24;
    public static final int BLOCK_LENGTH = 32;
    public static final int SKU_OFFSET = BLOCK_LENGTH;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        2 * (1 + Limits.KEY_PART_CHARS_MAX);

    private AvailabilityDescriptor()
    {
    }
}
