package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * GET_AVAILABILITY (type 17), client to node: the availability of one (sku, location), as HTTP's
 * {@code GET /v1/availability/{sku}/{location}} (an unknown pair is all zeros). Answered by AVAILABILITY. Block
 * length 0, then sku and location.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Sku Length    |  Sku (ASCII, 1..64)                          ...  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Location Len  |  Location (ASCII, 1..64)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class GetAvailabilityDescriptor
{
    public static final int BLOCK_LENGTH = 0;
    public static final int SKU_OFFSET = 0;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + 2 * (1 + Limits.KEY_PART_CHARS_MAX);

    private GetAvailabilityDescriptor()
    {
    }
}
