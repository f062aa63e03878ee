package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

/** Encodes a {@link ReservationIdDescriptor COMMIT, RELEASE or GET_RESERVATION}. */
public final class ReservationIdEncoder extends MessageEncoder
{
    /** @param messageType COMMIT, RELEASE or GET_RESERVATION. */
    public ReservationIdEncoder wrap(final MutableDirectBuffer buffer, final int offset, final int messageType)
    {
        if (!ReservationIdDescriptor.isReservationIdType(messageType))
        {
            throw new IllegalArgumentException("not a reservation id message type: " + messageType);
        }
        wrapMessage(buffer, offset, messageType, ReservationIdDescriptor.BLOCK_LENGTH);
        return this;
    }

    public ReservationIdEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public ReservationIdEncoder reservationId(final CharSequence reservationId)
    {
        appendAscii(reservationId, "reservationId");
        return this;
    }
}
