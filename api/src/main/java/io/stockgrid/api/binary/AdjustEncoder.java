package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.AdjustDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.AdjustDescriptor.DELTA_OFFSET;
import static io.stockgrid.api.binary.AdjustDescriptor.REASON_BYTES_MAX;

/** Encodes an {@link AdjustDescriptor ADJUST}: block, then sku, location, eventId, reason, in that order. */
public final class AdjustEncoder extends MessageEncoder
{
    public AdjustEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.ADJUST, BLOCK_LENGTH);
        return this;
    }

    public AdjustEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public AdjustEncoder delta(final long delta)
    {
        blockLong(DELTA_OFFSET, delta);
        return this;
    }

    public AdjustEncoder sku(final CharSequence sku)
    {
        appendAscii(sku, "sku");
        return this;
    }

    public AdjustEncoder location(final CharSequence location)
    {
        appendAscii(location, "location");
        return this;
    }

    public AdjustEncoder eventId(final CharSequence eventId)
    {
        appendAscii(eventId, "eventId");
        return this;
    }

    /** The reason, or null for none. */
    public AdjustEncoder reason(final CharSequence reason)
    {
        appendText(reason, REASON_BYTES_MAX, false, "reason");
        return this;
    }
}
