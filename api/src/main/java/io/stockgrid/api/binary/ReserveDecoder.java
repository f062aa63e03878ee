package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.ReserveDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReserveDescriptor.LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReserveDescriptor.LINE_QUANTITY_LENGTH;
import static io.stockgrid.api.binary.ReserveDescriptor.TTL_SECONDS_OFFSET;
import static io.stockgrid.api.binary.ReserveDescriptor.UNUSED_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Decodes a {@link ReserveDescriptor RESERVE}. Validation finds every line once and keeps their offsets (arrays
 * sized for the 100-line maximum, allocated with the decoder), so reading a line is a lookup.
 */
public final class ReserveDecoder extends MessageDecoder
{
    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private final int[] quantityAt = new int[Limits.LINES_MAX];
    private final int[] skuAt = new int[Limits.LINES_MAX];
    private final int[] locationAt = new int[Limits.LINES_MAX];
    private final long[] keyHash = new long[Limits.LINES_MAX];
    private int reservationIdAt;
    private int correlationIdAt;
    private int lineCount;

    public ReserveDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        lineCount = 0;
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(BLOCK_LENGTH);
        if (block < 0 || !unusedZero(blockUint16(UNUSED_OFFSET)))
        {
            return false;
        }
        reservationIdAt = block + BLOCK_LENGTH;
        correlationIdAt = ascii(reservationIdAt, AsciiRule.REQUEST_ID, null, -1, "reservationId");
        if (correlationIdAt < 0)
        {
            return false;
        }
        int pos = ascii(correlationIdAt, AsciiRule.CORRELATION_ID, null, -1, "correlationId");
        if (pos < 0)
        {
            return false;
        }
        final int count = blockUint16(LINE_COUNT_OFFSET);
        if (count < Limits.LINES_MIN || count > Limits.LINES_MAX)
        {
            invalid("field 'lines' must have " + Limits.LINES_MIN + ".." + Limits.LINES_MAX + " entries, has " + count);
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            quantityAt[i] = pos;
            skuAt[i] = fixed(pos, LINE_QUANTITY_LENGTH, "lines", i, "quantity");
            if (skuAt[i] < 0)
            {
                return false;
            }
            locationAt[i] = ascii(skuAt[i], AsciiRule.KEY_PART, "lines", i, "sku");
            if (locationAt[i] < 0)
            {
                return false;
            }
            pos = ascii(locationAt[i], AsciiRule.KEY_PART, "lines", i, "location");
            if (pos < 0)
            {
                return false;
            }
            keyHash[i] = asciiHash(asciiHash(FNV_OFFSET_BASIS, skuAt[i]), locationAt[i]);
        }
        if (!end(pos))
        {
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            final long quantity = buffer.getLong(quantityAt[i], LITTLE_ENDIAN);
            if (!inRange(quantity, Limits.LINE_QUANTITY_MIN, Limits.LINE_QUANTITY_MAX, "lines", i, "quantity"))
            {
                return false;
            }
            // At most 4950 pairs: hashes first, bytes only when they match.
            for (int j = 0; j < i; j++)
            {
                if (keyHash[i] == keyHash[j] && asciiEquals(skuAt[i], skuAt[j]) &&
                    asciiEquals(locationAt[i], locationAt[j]))
                {
                    invalid("field 'lines[" + i + "]' repeats sku " + asciiOrNull(skuAt[i]) + " at location "
                        + asciiOrNull(locationAt[i]) + ": each (sku, location) may appear once per reservation");
                    return false;
                }
            }
        }
        if (!inRange(ttlSeconds(), Limits.TTL_SECONDS_MIN, Limits.TTL_SECONDS_MAX, null, -1, "ttlSeconds"))
        {
            return false;
        }
        lineCount = count;
        return true;
    }

    public int ttlSeconds()
    {
        return blockInt(TTL_SECONDS_OFFSET);
    }

    public String reservationId()
    {
        return asciiOrNull(reservationIdAt);
    }

    /** The correlation id, or null if none was given. */
    public String correlationId()
    {
        return asciiOrNull(correlationIdAt);
    }

    /** The number of lines; 0 until {@link #validate()} succeeded. */
    public int lineCount()
    {
        return lineCount;
    }

    public long lineQuantity(final int index)
    {
        return buffer.getLong(quantityAt[index], LITTLE_ENDIAN);
    }

    public String lineSku(final int index)
    {
        return asciiOrNull(skuAt[index]);
    }

    public String lineLocation(final int index)
    {
        return asciiOrNull(locationAt[index]);
    }

    /** {@link #lineSku}, through a cache of recently decoded Strings (no allocation when it has the SKU). */
    public String lineSku(final int index, final AsciiInterner interner)
    {
        return asciiOrNull(skuAt[index], interner);
    }

    /** {@link #lineLocation}, through a cache of recently decoded Strings. */
    public String lineLocation(final int index, final AsciiInterner interner)
    {
        return asciiOrNull(locationAt[index], interner);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.RESERVE;
    }
}
