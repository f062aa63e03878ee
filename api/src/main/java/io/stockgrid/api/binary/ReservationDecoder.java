package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;
import io.stockgrid.api.ReservationStatus;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.ReservationDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ReservationDescriptor.EXPIRES_AT_MS_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.SHORT_LINE_COUNT_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.SHORT_LINE_FIXED_LENGTH;
import static io.stockgrid.api.binary.ReservationDescriptor.STATUS_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.UNUSED_1_OFFSET;
import static io.stockgrid.api.binary.ReservationDescriptor.UNUSED_2_OFFSET;
import static io.stockgrid.api.binary.ReserveDescriptor.LINE_QUANTITY_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/** Decodes a {@link ReservationDescriptor RESERVATION}. */
public final class ReservationDecoder extends MessageDecoder
{
    private final int[] quantityAt = new int[Limits.LINES_MAX];
    private final int[] skuAt = new int[Limits.LINES_MAX];
    private final int[] locationAt = new int[Limits.LINES_MAX];
    private final int[] shortQuantityAt = new int[Limits.LINES_MAX];
    private final int[] shortSkuAt = new int[Limits.LINES_MAX];
    private final int[] shortLocationAt = new int[Limits.LINES_MAX];
    private int reservationIdAt;
    private int lineCount;
    private int shortLineCount;

    public ReservationDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        lineCount = 0;
        shortLineCount = 0;
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(BLOCK_LENGTH);
        if (block < 0 || !unusedZero(blockUint8(UNUSED_1_OFFSET)) || !unusedZero(blockUint16(UNUSED_2_OFFSET)))
        {
            return false;
        }
        if (status() == null)
        {
            invalid("field 'status' has no meaning: " + blockUint8(STATUS_OFFSET));
            return false;
        }
        final int lines = blockUint16(LINE_COUNT_OFFSET);
        final int shortLines = blockUint16(SHORT_LINE_COUNT_OFFSET);
        if (lines < Limits.LINES_MIN || lines > Limits.LINES_MAX)
        {
            invalid("field 'lines' must have " + Limits.LINES_MIN + ".." + Limits.LINES_MAX + " entries, has " + lines);
            return false;
        }
        if (shortLines > lines || (shortLines > 0 && status() != ReservationStatus.REJECTED))
        {
            invalid("field 'shortLines' must have 0.." + lines + " entries, and only when REJECTED, has "
                + shortLines);
            return false;
        }
        reservationIdAt = block + BLOCK_LENGTH;
        int pos = ascii(reservationIdAt, AsciiRule.REQUEST_ID, null, -1, "reservationId");
        for (int i = 0; i < lines && pos >= 0; i++)
        {
            quantityAt[i] = pos;
            skuAt[i] = fixed(pos, LINE_QUANTITY_LENGTH, "lines", i, "quantity");
            locationAt[i] = skuAt[i] < 0 ? -1 : ascii(skuAt[i], AsciiRule.KEY_PART, "lines", i, "sku");
            pos = locationAt[i] < 0 ? -1 : ascii(locationAt[i], AsciiRule.KEY_PART, "lines", i, "location");
        }
        for (int i = 0; i < shortLines && pos >= 0; i++)
        {
            shortQuantityAt[i] = pos;
            shortSkuAt[i] = fixed(pos, SHORT_LINE_FIXED_LENGTH, "shortLines", i, "quantity");
            shortLocationAt[i] = shortSkuAt[i] < 0 ? -1 :
                ascii(shortSkuAt[i], AsciiRule.KEY_PART, "shortLines", i, "sku");
            pos = shortLocationAt[i] < 0 ? -1 :
                ascii(shortLocationAt[i], AsciiRule.KEY_PART, "shortLines", i, "location");
        }
        if (pos < 0 || !end(pos))
        {
            return false;
        }
        for (int i = 0; i < lines; i++)
        {
            if (!inRange(buffer.getLong(quantityAt[i], LITTLE_ENDIAN), Limits.LINE_QUANTITY_MIN,
                Limits.LINE_QUANTITY_MAX, "lines", i, "quantity"))
            {
                return false;
            }
        }
        for (int i = 0; i < shortLines; i++)
        {
            if (!inRange(buffer.getLong(shortQuantityAt[i], LITTLE_ENDIAN), Limits.LINE_QUANTITY_MIN,
                Limits.LINE_QUANTITY_MAX, "shortLines", i, "quantity") ||
                !inRange(buffer.getLong(shortQuantityAt[i] + 8, LITTLE_ENDIAN), 0, Long.MAX_VALUE, "shortLines", i,
                "available"))
            {
                return false;
            }
        }
        lineCount = lines;
        shortLineCount = shortLines;
        return true;
    }

    public long expiresAtMs()
    {
        return blockLong(EXPIRES_AT_MS_OFFSET);
    }

    public ReservationStatus status()
    {
        return WireCodes.status(blockUint8(STATUS_OFFSET));
    }

    public String reservationId()
    {
        return asciiOrNull(reservationIdAt);
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

    /** The number of short lines; 0 until {@link #validate()} succeeded. */
    public int shortLineCount()
    {
        return shortLineCount;
    }

    public long shortLineQuantity(final int index)
    {
        return buffer.getLong(shortQuantityAt[index], LITTLE_ENDIAN);
    }

    public long shortLineAvailable(final int index)
    {
        return buffer.getLong(shortQuantityAt[index] + 8, LITTLE_ENDIAN);
    }

    public String shortLineSku(final int index)
    {
        return asciiOrNull(shortSkuAt[index]);
    }

    public String shortLineLocation(final int index)
    {
        return asciiOrNull(shortLocationAt[index]);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.RESERVATION;
    }
}
