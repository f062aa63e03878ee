package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * RESERVATION (type 21), node to client: a reservation, as HTTP answers it. To RESERVE it is the first answer
 * (status HELD, or REJECTED with the short lines; a retry with the same body gets the first answer again), to
 * COMMIT and RELEASE the reservation after the change, to GET_RESERVATION its current state. Block length 16, then
 * the reservationId, Line Count lines and Short Line Count short lines.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Expires At (int64, epoch milliseconds)         |  0
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Status (uint8)| Unused (zero) |      Line Count (uint16)      |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Short Line Count (uint16)   |     Unused (uint16, zero)     | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Res. Id Len   |  Reservation Id (ASCII, 1..128)              ...  16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Line Count times: Quantity (int64), Sku, Location           ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Short Line Count times: Quantity (int64), Available (int64),  |
 *  |  Sku, Location                                               ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Status is a {@link WireCodes#status reservation status} code (1 HELD .. 5 REJECTED). Sku and Location are ASCII
 * fields as in RESERVE. Short lines (the lines that could not be held, with the availability seen) are sent only
 * with status REJECTED; HTTP's 409 body lists the same lines.
 */
public final class ReservationDescriptor
{
    public static final int EXPIRES_AT_MS_OFFSET = 0;
    public static final int STATUS_OFFSET = 8;
    public static final int UNUSED_1_OFFSET = 9;
    public static final int LINE_COUNT_OFFSET = 10;
    public static final int SHORT_LINE_COUNT_OFFSET = 12;
    public static final int UNUSED_2_OFFSET = 14;
    public static final int BLOCK_LENGTH = 16;
    public static final int RESERVATION_ID_OFFSET = BLOCK_LENGTH;
    public static final int SHORT_LINE_FIXED_LENGTH = 16;
    public static final int SHORT_LINE_LENGTH_MAX = SHORT_LINE_FIXED_LENGTH + 2 * (1 + Limits.KEY_PART_CHARS_MAX);
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH +
        1 + Limits.REQUEST_ID_CHARS_MAX + Limits.LINES_MAX * ReserveDescriptor.LINE_LENGTH_MAX +
        Limits.LINES_MAX * SHORT_LINE_LENGTH_MAX;

    private ReservationDescriptor()
    {
    }
}
