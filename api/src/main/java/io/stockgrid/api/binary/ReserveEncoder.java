package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.ReserveDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReserveDescriptor.LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReserveDescriptor.TTL_SECONDS_OFFSET;

/**
 * Encodes a {@link ReserveDescriptor RESERVE}: block fields, then {@link #reservationId}, {@link #correlationId},
 * then each {@link #line} (which also counts it in Line Count).
 */
public final class ReserveEncoder extends MessageEncoder
{
    private int lineCount;

    public ReserveEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.RESERVE, BLOCK_LENGTH);
        lineCount = 0;
        return this;
    }

    public ReserveEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public ReserveEncoder ttlSeconds(final int ttlSeconds)
    {
        blockInt(TTL_SECONDS_OFFSET, ttlSeconds);
        return this;
    }

    public ReserveEncoder reservationId(final CharSequence reservationId)
    {
        appendAscii(reservationId, "reservationId");
        return this;
    }

    /** The correlation id, or null for none. */
    public ReserveEncoder correlationId(final CharSequence correlationId)
    {
        appendAscii(correlationId, "correlationId");
        return this;
    }

    public ReserveEncoder line(final long quantity, final CharSequence sku, final CharSequence location)
    {
        if (lineCount == 0xFFFF)
        {
            throw new IllegalArgumentException("field 'lines' cannot count more than 65535 entries");
        }
        appendLong(quantity);
        appendAscii(sku, "sku");
        appendAscii(location, "location");
        blockUint16(LINE_COUNT_OFFSET, ++lineCount);
        return this;
    }
}
