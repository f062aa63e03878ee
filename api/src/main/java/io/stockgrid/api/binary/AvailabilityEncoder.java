package io.stockgrid.api.binary;

import io.stockgrid.api.Availability;
import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.AvailabilityDescriptor.AVAILABLE_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.AvailabilityDescriptor.ON_HAND_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.RESERVED_OFFSET;
import static io.stockgrid.api.binary.AvailabilityDescriptor.SAFETY_STOCK_OFFSET;

/** Encodes an {@link AvailabilityDescriptor AVAILABILITY}. */
public final class AvailabilityEncoder extends MessageEncoder
{
    public AvailabilityEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.AVAILABILITY, BLOCK_LENGTH);
        return this;
    }

    public AvailabilityEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    /** Every field of the answer, from the record. */
    public AvailabilityEncoder availability(final Availability a)
    {
        blockLong(ON_HAND_OFFSET, a.onHand());
        blockLong(SAFETY_STOCK_OFFSET, a.safetyStock());
        blockLong(RESERVED_OFFSET, a.reserved());
        blockLong(AVAILABLE_OFFSET, a.available());
        appendAscii(a.sku(), "sku");
        appendAscii(a.location(), "location");
        return this;
    }

    public AvailabilityEncoder onHand(final long onHand)
    {
        blockLong(ON_HAND_OFFSET, onHand);
        return this;
    }

    public AvailabilityEncoder safetyStock(final long safetyStock)
    {
        blockLong(SAFETY_STOCK_OFFSET, safetyStock);
        return this;
    }

    public AvailabilityEncoder reserved(final long reserved)
    {
        blockLong(RESERVED_OFFSET, reserved);
        return this;
    }

    public AvailabilityEncoder available(final long available)
    {
        blockLong(AVAILABLE_OFFSET, available);
        return this;
    }

    public AvailabilityEncoder sku(final CharSequence sku)
    {
        appendAscii(sku, "sku");
        return this;
    }

    public AvailabilityEncoder location(final CharSequence location)
    {
        appendAscii(location, "location");
        return this;
    }
}
