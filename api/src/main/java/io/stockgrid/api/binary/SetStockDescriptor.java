package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * SET_STOCK (type 10), client to node: the absolute on-hand of a (sku, location), as HTTP's
 * {@code PUT /v1/stock/{sku}/{location}}. Answered by AVAILABILITY. Block length 16, then sku and location.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         On Hand (int64)                       |  0
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Safety Stock (int64, -1 = keep current)          |  8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Sku Length    |  Sku (ASCII, 1..64)                          ...  16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Location Len  |  Location (ASCII, 1..64)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * onHand and safetyStock are 0..1,000,000,000; safetyStock -1 keeps the current one (HTTP: the field left out).
 */
public final class SetStockDescriptor
{
    public static final int ON_HAND_OFFSET = 0;
    public static final int SAFETY_STOCK_OFFSET = 8;
    public static final int BLOCK_LENGTH = 16;
    public static final int SKU_OFFSET = BLOCK_LENGTH;
    public static final long KEEP_SAFETY_STOCK = -1;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        2 * (1 + Limits.KEY_PART_CHARS_MAX);

    private SetStockDescriptor()
    {
    }
}
