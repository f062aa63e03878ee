package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

/** Encodes a {@link GetAvailabilityDescriptor GET_AVAILABILITY}: sku, then location. */
public final class GetAvailabilityEncoder extends MessageEncoder
{
    public GetAvailabilityEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.GET_AVAILABILITY, GetAvailabilityDescriptor.BLOCK_LENGTH);
        return this;
    }

    public GetAvailabilityEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public GetAvailabilityEncoder sku(final CharSequence sku)
    {
        appendAscii(sku, "sku");
        return this;
    }

    public GetAvailabilityEncoder location(final CharSequence location)
    {
        appendAscii(location, "location");
        return this;
    }
}
