package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

/** Decodes a {@link GetAvailabilityDescriptor GET_AVAILABILITY}. */
public final class GetAvailabilityDecoder extends MessageDecoder
{
    private int skuAt;
    private int locationAt;

    public GetAvailabilityDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(GetAvailabilityDescriptor.BLOCK_LENGTH);
        if (block < 0)
        {
            return false;
        }
        skuAt = block + GetAvailabilityDescriptor.BLOCK_LENGTH;
        locationAt = ascii(skuAt, AsciiRule.KEY_PART, null, -1, "sku");
        if (locationAt < 0)
        {
            return false;
        }
        final int end = ascii(locationAt, AsciiRule.KEY_PART, null, -1, "location");
        return end >= 0 && end(end);
    }

    public String sku()
    {
        return asciiOrNull(skuAt);
    }

    public String location()
    {
        return asciiOrNull(locationAt);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.GET_AVAILABILITY;
    }
}
