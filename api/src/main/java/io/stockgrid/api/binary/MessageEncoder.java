package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.HEADER_LENGTH;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.REQUEST_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_ID;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_VERSION_MAX;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * What every message encoder shares. Wrapping writes the header and zeroes the block; block fields may then be set
 * in any order, variable fields must be appended in layout order. {@link #encodedLength()} is the message length to
 * put in the frame's length field. Encoders write what they are given (an out-of-range value included) so that a
 * decoder can refuse it; they only refuse what cannot be represented at all (a string longer than its length field
 * can count) with {@link IllegalArgumentException}. The caller provides a buffer large enough for the message.
 */
public abstract class MessageEncoder
{
    protected MutableDirectBuffer buffer;
    protected int offset;
    protected int limit;

    protected final void wrapMessage(final MutableDirectBuffer buffer, final int offset, final int messageType,
        final int blockLength)
    {
        wrapMessage(buffer, offset, messageType, blockLength, SCHEMA_VERSION_MAX);
    }

    protected final void wrapMessage(final MutableDirectBuffer buffer, final int offset, final int messageType,
        final int blockLength, final int schemaVersion)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.putShort(offset + SCHEMA_ID_OFFSET, (short)SCHEMA_ID, LITTLE_ENDIAN);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short)schemaVersion, LITTLE_ENDIAN);
        buffer.putShort(offset + MESSAGE_TYPE_OFFSET, (short)messageType, LITTLE_ENDIAN);
        buffer.putShort(offset + BLOCK_LENGTH_OFFSET, (short)blockLength, LITTLE_ENDIAN);
        buffer.putLong(offset + REQUEST_ID_OFFSET, 0, LITTLE_ENDIAN);
        if (blockLength > 0)
        {
            buffer.setMemory(offset + HEADER_LENGTH, blockLength, (byte)0);
        }
        this.limit = offset + HEADER_LENGTH + blockLength;
    }

    /** The length of the message written so far (header and body). */
    public final int encodedLength()
    {
        return limit - offset;
    }

    protected final void putRequestId(final long requestId)
    {
        buffer.putLong(offset + REQUEST_ID_OFFSET, requestId, LITTLE_ENDIAN);
    }

    protected final void blockLong(final int blockOffset, final long value)
    {
        buffer.putLong(offset + HEADER_LENGTH + blockOffset, value, LITTLE_ENDIAN);
    }

    protected final void blockInt(final int blockOffset, final int value)
    {
        buffer.putInt(offset + HEADER_LENGTH + blockOffset, value, LITTLE_ENDIAN);
    }

    protected final void blockUint16(final int blockOffset, final int value)
    {
        buffer.putShort(offset + HEADER_LENGTH + blockOffset, (short)value, LITTLE_ENDIAN);
    }

    protected final void blockUint8(final int blockOffset, final int value)
    {
        buffer.putByte(offset + HEADER_LENGTH + blockOffset, (byte)value);
    }

    /**
     * Appends an ASCII field: uint8 length, then one byte per char. A null value is written as empty; a char
     * outside ASCII is written as 0, which no rule accepts, so that it is refused rather than silently changed.
     */
    protected final void appendAscii(final CharSequence value, final String field)
    {
        final int length = value == null ? 0 : value.length();
        if (length > 255)
        {
            throw new IllegalArgumentException("field '" + field + "' has " + length + " chars; at most 255 fit");
        }
        buffer.putByte(limit, (byte)length);
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            buffer.putByte(limit + 1 + i, c < 0x80 ? (byte)c : 0);
        }
        limit += 1 + length;
    }

    protected final void appendLong(final long value)
    {
        buffer.putLong(limit, value, LITTLE_ENDIAN);
        limit += 8;
    }

    /**
     * Appends a text field: uint16 length, then UTF-8. A value longer than {@code maxBytes} once encoded is refused
     * if {@code truncate} is false, else cut at a character boundary.
     */
    protected final void appendText(final CharSequence value, final int maxBytes, final boolean truncate,
        final String field)
    {
        if (value == null)
        {
            buffer.putShort(limit, (short)0, LITTLE_ENDIAN);
            limit += 2;
            return;
        }
        if (!truncate && Utf8.encodedLength(value) > maxBytes)
        {
            throw new IllegalArgumentException("field '" + field + "' must be at most " + maxBytes
                + " bytes of UTF-8");
        }
        final int written = Utf8.put(buffer, limit + 2, value, maxBytes);
        buffer.putShort(limit, (short)written, LITTLE_ENDIAN);
        limit += 2 + written;
    }
}
