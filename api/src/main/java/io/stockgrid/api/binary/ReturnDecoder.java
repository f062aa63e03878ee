package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;
import io.stockgrid.api.ReturnDisposition;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.ReturnDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReturnDescriptor.DISPOSITION_OFFSET;
import static io.stockgrid.api.binary.ReturnDescriptor.QUANTITY_OFFSET;
import static io.stockgrid.api.binary.ReturnDescriptor.UNUSED_1_OFFSET;
import static io.stockgrid.api.binary.ReturnDescriptor.UNUSED_2_OFFSET;
import static io.stockgrid.api.binary.ReturnDescriptor.UNUSED_4_OFFSET;

/** Decodes a {@link ReturnDescriptor RETURN}. */
public final class ReturnDecoder extends MessageDecoder
{
    private int returnIdAt;
    private int skuAt;
    private int locationAt;

    public ReturnDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(BLOCK_LENGTH);
        if (block < 0 || !unusedZero(blockUint8(UNUSED_1_OFFSET)) || !unusedZero(blockUint16(UNUSED_2_OFFSET)) ||
            !unusedZero(blockInt(UNUSED_4_OFFSET)))
        {
            return false;
        }
        returnIdAt = block + BLOCK_LENGTH;
        skuAt = ascii(returnIdAt, AsciiRule.REQUEST_ID, null, -1, "returnId");
        if (skuAt < 0)
        {
            return false;
        }
        locationAt = ascii(skuAt, AsciiRule.KEY_PART, null, -1, "sku");
        if (locationAt < 0)
        {
            return false;
        }
        final int end = ascii(locationAt, AsciiRule.KEY_PART, null, -1, "location");
        if (end < 0 || !end(end) ||
            !inRange(quantity(), Limits.LINE_QUANTITY_MIN, Limits.LINE_QUANTITY_MAX, null, -1, "quantity"))
        {
            return false;
        }
        if (disposition() == null)
        {
            invalid("field 'disposition' must be 1 (RESTOCK) or 2 (DAMAGED), was " + blockUint8(DISPOSITION_OFFSET));
            return false;
        }
        return true;
    }

    public long quantity()
    {
        return blockLong(QUANTITY_OFFSET);
    }

    public ReturnDisposition disposition()
    {
        return WireCodes.disposition(blockUint8(DISPOSITION_OFFSET));
    }

    public String returnId()
    {
        return asciiOrNull(returnIdAt);
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
        return type == MessageType.RETURN;
    }
}
