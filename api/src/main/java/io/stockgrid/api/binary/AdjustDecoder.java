package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.AdjustDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.AdjustDescriptor.DELTA_OFFSET;
import static io.stockgrid.api.binary.AdjustDescriptor.REASON_BYTES_MAX;

/** Decodes an {@link AdjustDescriptor ADJUST}. */
public final class AdjustDecoder extends MessageDecoder
{
    private int skuAt;
    private int locationAt;
    private int eventIdAt;
    private int reasonAt;

    public AdjustDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
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
        eventIdAt = ascii(locationAt, AsciiRule.KEY_PART, null, -1, "location");
        if (eventIdAt < 0)
        {
            return false;
        }
        reasonAt = ascii(eventIdAt, AsciiRule.REQUEST_ID, null, -1, "eventId");
        if (reasonAt < 0)
        {
            return false;
        }
        final int end = text(reasonAt, REASON_BYTES_MAX, Limits.REASON_CHARS_MAX, "reason");
        if (end < 0 || !end(end) ||
            !inRange(delta(), -Limits.DELTA_ABS_MAX, Limits.DELTA_ABS_MAX, null, -1, "delta"))
        {
            return false;
        }
        if (delta() == 0)
        {
            invalid("field 'delta' must not be 0");
            return false;
        }
        return true;
    }

    public long delta()
    {
        return blockLong(DELTA_OFFSET);
    }

    public String sku()
    {
        return asciiOrNull(skuAt);
    }

    public String location()
    {
        return asciiOrNull(locationAt);
    }

    public String eventId()
    {
        return asciiOrNull(eventIdAt);
    }

    /** The reason, or null if none was given. */
    public String reason()
    {
        return textOrNull(reasonAt);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.ADJUST;
    }
}
