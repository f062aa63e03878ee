package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.SetStockDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.SetStockDescriptor.KEEP_SAFETY_STOCK;
import static io.stockgrid.api.binary.SetStockDescriptor.ON_HAND_OFFSET;
import static io.stockgrid.api.binary.SetStockDescriptor.SAFETY_STOCK_OFFSET;

/** Decodes a {@link SetStockDescriptor SET_STOCK}. */
public final class SetStockDecoder extends MessageDecoder
{
    private int skuAt;
    private int locationAt;

    public SetStockDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
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
        if (end < 0 || !end(end) || !inRange(onHand(), Limits.STOCK_MIN, Limits.STOCK_MAX, null, -1, "onHand"))
        {
            return false;
        }
        final long safetyStock = safetyStock();
        if (safetyStock != KEEP_SAFETY_STOCK && (safetyStock < Limits.STOCK_MIN || safetyStock > Limits.STOCK_MAX))
        {
            invalid("field 'safetyStock' must be in " + Limits.STOCK_MIN + ".." + Limits.STOCK_MAX
                + " (or -1 to keep the current one), was " + safetyStock);
            return false;
        }
        return true;
    }

    public long onHand()
    {
        return blockLong(ON_HAND_OFFSET);
    }

    /** The safety stock, or -1 to keep the current one. */
    public long safetyStock()
    {
        return blockLong(SAFETY_STOCK_OFFSET);
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
        return type == MessageType.SET_STOCK;
    }
}
