package io.stockgrid.api.binary;

import io.stockgrid.api.ReturnDisposition;
import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.ReturnDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReturnDescriptor.DISPOSITION_OFFSET;
import static io.stockgrid.api.binary.ReturnDescriptor.QUANTITY_OFFSET;

/** Encodes a {@link ReturnDescriptor RETURN}: block, then returnId, sku, location, in that order. */
public final class ReturnEncoder extends MessageEncoder
{
    public ReturnEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.RETURN, BLOCK_LENGTH);
        return this;
    }

    public ReturnEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public ReturnEncoder quantity(final long quantity)
    {
        blockLong(QUANTITY_OFFSET, quantity);
        return this;
    }

    /** A null disposition is written as 0, which is refused. */
    public ReturnEncoder disposition(final ReturnDisposition disposition)
    {
        blockUint8(DISPOSITION_OFFSET, disposition == null ? 0 : WireCodes.disposition(disposition));
        return this;
    }

    public ReturnEncoder returnId(final CharSequence returnId)
    {
        appendAscii(returnId, "returnId");
        return this;
    }

    public ReturnEncoder sku(final CharSequence sku)
    {
        appendAscii(sku, "sku");
        return this;
    }

    public ReturnEncoder location(final CharSequence location)
    {
        appendAscii(location, "location");
        return this;
    }
}
