package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * RETURN (type 12), client to node: a customer return, applied once per returnId, as HTTP's
 * {@code POST /v1/returns}. Answered by AVAILABILITY. Block length 16, then returnId, sku and location.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Quantity (int64)                       |  0
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Disposition(u8)|                 Unused (7 bytes, zero)        |  8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Return Id Len |  Return Id (ASCII, 1..128)                   ...  16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Sku Length    |  Sku (ASCII, 1..64)                          ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Location Len  |  Location (ASCII, 1..64)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * quantity is 1..1,000,000; disposition 1 = RESTOCK, 2 = DAMAGED.
 */
public final class ReturnDescriptor
{
    public static final int QUANTITY_OFFSET = 0;
    public static final int DISPOSITION_OFFSET = 8;
    public static final int UNUSED_1_OFFSET = 9;
    public static final int UNUSED_2_OFFSET = 10;
    public static final int UNUSED_4_OFFSET = 12;
    public static final int BLOCK_LENGTH = 16;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        1 + Limits.REQUEST_ID_CHARS_MAX + 2 * (1 + Limits.KEY_PART_CHARS_MAX);

    private ReturnDescriptor()
    {
    }
}
