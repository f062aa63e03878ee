package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.SetStockDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.SetStockDescriptor.ON_HAND_OFFSET;
import static io.stockgrid.api.binary.SetStockDescriptor.SAFETY_STOCK_OFFSET;

/** Encodes a {@link SetStockDescriptor SET_STOCK}: block fields, then {@link #sku}, then {@link #location}. */
public final class SetStockEncoder extends MessageEncoder
{
    public SetStockEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.SET_STOCK, BLOCK_LENGTH);
        return this;
    }

    public SetStockEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public SetStockEncoder onHand(final long onHand)
    {
        blockLong(ON_HAND_OFFSET, onHand);
        return this;
    }

    public SetStockEncoder safetyStock(final long safetyStock)
    {
        blockLong(SAFETY_STOCK_OFFSET, safetyStock);
        return this;
    }

    public SetStockEncoder sku(final CharSequence sku)
    {
        appendAscii(sku, "sku");
        return this;
    }

    public SetStockEncoder location(final CharSequence location)
    {
        appendAscii(location, "location");
        return this;
    }
}
