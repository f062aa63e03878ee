package io.stockgrid.api.binary;

import io.stockgrid.api.ReservationStatus;
import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.ReservationDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReservationDescriptor.EXPIRES_AT_MS_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.SHORT_LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.STATUS_OFFSET;

/**
 * Encodes a {@link ReservationDescriptor RESERVATION}: block fields, then {@link #reservationId}, then every
 * {@link #line}, then every {@link #shortLine} (each counted as it is appended).
 */
public final class ReservationEncoder extends MessageEncoder
{
    private int lineCount;
    private int shortLineCount;

    public ReservationEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.RESERVATION, BLOCK_LENGTH);
        lineCount = 0;
        shortLineCount = 0;
        return this;
    }

    public ReservationEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public ReservationEncoder expiresAtMs(final long expiresAtMs)
    {
        blockLong(EXPIRES_AT_MS_OFFSET, expiresAtMs);
        return this;
    }

    public ReservationEncoder status(final ReservationStatus status)
    {
        blockUint8(STATUS_OFFSET, WireCodes.status(status));
        return this;
    }

    public ReservationEncoder reservationId(final CharSequence reservationId)
    {
        appendAscii(reservationId, "reservationId");
        return this;
    }

    public ReservationEncoder line(final long quantity, final CharSequence sku, final CharSequence location)
    {
        appendLong(quantity);
        appendAscii(sku, "sku");
        appendAscii(location, "location");
        blockUint16(LINE_COUNT_OFFSET, ++lineCount);
        return this;
    }

    public ReservationEncoder shortLine(final long quantity, final long available, final CharSequence sku,
        final CharSequence location)
    {
        appendLong(quantity);
        appendLong(available);
        appendAscii(sku, "sku");
        appendAscii(location, "location");
        blockUint16(SHORT_LINE_COUNT_OFFSET, ++shortLineCount);
        return this;
    }
}
