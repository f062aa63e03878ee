package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * COMMIT (type 14), RELEASE (type 15) and GET_RESERVATION (type 16), client to node: a request about one
 * reservation, as HTTP's {@code POST /v1/reservations/{id}/commit}, {@code .../release} and
 * {@code GET /v1/reservations/{id}}. Answered by RESERVATION or ERROR. Block length 0, then the reservationId.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Res. Id Len   |  Reservation Id (ASCII, 1..128)              ...  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ReservationIdDescriptor
{
    public static final int BLOCK_LENGTH = 0;
    public static final int RESERVATION_ID_OFFSET = 0;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + 1 + Limits.REQUEST_ID_CHARS_MAX;

    private ReservationIdDescriptor()
    {
    }

    public static boolean isReservationIdType(final int type)
    {
        return type == MessageType.COMMIT || type == MessageType.RELEASE || type == MessageType.GET_RESERVATION;
    }
}
