package io.stockgrid.api.binary;

import io.stockgrid.api.Availability;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.AvailabilityDescriptor.AVAILABLE_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.AvailabilityDescriptor.ON_HAND_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.RESERVED_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.SAFETY_STOCK_OFFSET;

/** Decodes an {@link AvailabilityDescriptor AVAILABILITY}. */
public final class AvailabilityDecoder extends MessageDecoder
{
    private int skuAt;
    private int locationAt;

    public AvailabilityDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(BLOCK_LENGTH);
        if (block < 0)
        {
            return false;
        }
        skuAt = block + BLOCK_LENGTH;
        locationAt = ascii(skuAt, AsciiRule.KEY_PART, null, -1, "sku");
        if (locationAt < 0)
        {
            return false;
        }
        final int end = ascii(locationAt, AsciiRule.KEY_PART, null, -1, "location");
        return end >= 0 && end(end) &&
            inRange(onHand(), 0, Long.MAX_VALUE, null, -1, "onHand") &&
            inRange(safetyStock(), 0, Long.MAX_VALUE, null, -1, "safetyStock") &&
            inRange(reserved(), 0, Long.MAX_VALUE, null, -1, "reserved") &&
            inRange(available(), 0, Long.MAX_VALUE, null, -1, "available");
    }

    public long onHand()
    {
        return blockLong(ON_HAND_OFFSET);
    }

    public long safetyStock()
    {
        return blockLong(SAFETY_STOCK_OFFSET);
    }

    public long reserved()
    {
        return blockLong(RESERVED_OFFSET);
    }

    public long available()
    {
        return blockLong(AVAILABLE_OFFSET);
    }

    public String sku()
    {
        return asciiOrNull(skuAt);
    }

    public String location()
    {
        return asciiOrNull(locationAt);
    }

    /** The answer as the API's record (allocates). */
    public Availability toAvailability()
    {
        return new Availability(sku(), location(), onHand(), safetyStock(), reserved(), available());
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.AVAILABILITY;
    }
}
