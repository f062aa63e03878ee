package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

/** Decodes a {@link ReservationIdDescriptor COMMIT, RELEASE or GET_RESERVATION}. */
public final class ReservationIdDecoder extends MessageDecoder
{
    private int reservationIdAt;

    public ReservationIdDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(ReservationIdDescriptor.BLOCK_LENGTH);
        if (block < 0)
        {
            return false;
        }
        reservationIdAt = block + ReservationIdDescriptor.BLOCK_LENGTH;
        final int end = ascii(reservationIdAt, AsciiRule.REQUEST_ID, null, -1, "reservationId");
        return end >= 0 && end(end);
    }

    public String reservationId()
    {
        return asciiOrNull(reservationIdAt);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return ReservationIdDescriptor.isReservationIdType(type);
    }
}
