package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.HEADER_LENGTH;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.REQUEST_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_ID;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * What every message decoder shares: the wrapped message ({@code offset} to {@code limit}), the header fields, and
 * the checks {@link #validate()} is built from. A decoder is a flyweight: wrap it over a message, call
 * {@code validate()}, and read fields only if it returned true. Validation never throws and never reads outside the
 * wrapped message, whatever the bytes; a valid message allocates nothing until a String is asked for. On failure
 * {@link #violation()} says why, naming the field (the refusal path may allocate).
 */
public abstract class MessageDecoder
{
    protected DirectBuffer buffer;
    protected int offset;
    protected int limit;
    private String violation;

    protected final void wrapMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.limit = offset + length;
        this.violation = null;
    }

    public final int messageType()
    {
        return buffer.getShort(offset + MESSAGE_TYPE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public final long requestId()
    {
        return buffer.getLong(offset + REQUEST_ID_OFFSET, LITTLE_ENDIAN);
    }

    /** The length of the wrapped message (header and body). */
    public final int length()
    {
        return limit - offset;
    }

    /**
     * Checks the whole message: header, block length, every field in bounds and in its range, no bytes after the
     * last field. True if it may be read; otherwise {@link #violation()} says why.
     */
    public abstract boolean validate();

    /** Why the last {@link #validate()} failed, naming the field; null if it did not. */
    public final String violation()
    {
        return violation;
    }

    /** True if this decoder reads messages of the type. */
    protected abstract boolean acceptsType(int type);

    /** The schema version this decoder's layout belongs to (the handshake's is fixed forever). */
    protected int expectedSchemaVersion()
    {
        return MessageHeaderDescriptor.SCHEMA_VERSION_MAX;
    }

    /** The offset of the block, after checking the header; -1 (violation recorded) if the header is wrong. */
    protected final int blockStart(final int expectedBlockLength)
    {
        if (limit - offset < HEADER_LENGTH)
        {
            return malformed("message shorter than its header");
        }
        if ((buffer.getShort(offset + SCHEMA_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF) != SCHEMA_ID)
        {
            return malformed("schema id is not " + SCHEMA_ID);
        }
        final int version = buffer.getShort(offset + SCHEMA_VERSION_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (version != expectedSchemaVersion())
        {
            return malformed("schema version " + version + " is not " + expectedSchemaVersion());
        }
        if (!acceptsType(messageType()))
        {
            return malformed("message type " + messageType() + " is not " + MessageType.name(messageType()));
        }
        final int blockLength = buffer.getShort(offset + BLOCK_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (blockLength != expectedBlockLength)
        {
            return malformed("block length " + blockLength + ", expected " + expectedBlockLength);
        }
        if (limit - offset < HEADER_LENGTH + blockLength)
        {
            return malformed("the block runs past the end of the frame");
        }
        return offset + HEADER_LENGTH;
    }

    /** An ASCII field (uint8 length, then the chars) at {@code pos}; its end, or -1 (violation recorded). */
    protected final int ascii(final int pos, final AsciiRule rule, final String group, final int index,
        final String field)
    {
        if (pos + 1 > limit)
        {
            return truncated(group, index, field);
        }
        final int length = buffer.getByte(pos) & 0xFF;
        final int end = pos + 1 + length;
        if (end > limit)
        {
            return truncated(group, index, field);
        }
        if (length < rule.minChars || length > rule.maxChars)
        {
            return invalid("field '" + path(group, index, field) + "' must be " + rule.text);
        }
        for (int i = pos + 1; i < end; i++)
        {
            if (!rule.accepts(buffer.getByte(i)))
            {
                return invalid("field '" + path(group, index, field) + "' must be " + rule.text);
            }
        }
        return end;
    }

    /**
     * A text field (uint16 length, then UTF-8) at {@code pos}: at most {@code maxBytes} bytes of well-formed UTF-8
     * that decode to at most {@code maxChars} chars; its end, or -1 (violation recorded).
     */
    protected final int text(final int pos, final int maxBytes, final int maxChars, final String field)
    {
        if (pos + 2 > limit)
        {
            return truncated(null, -1, field);
        }
        final int length = buffer.getShort(pos, LITTLE_ENDIAN) & 0xFFFF;
        final int end = pos + 2 + length;
        if (end > limit)
        {
            return truncated(null, -1, field);
        }
        if (length > maxBytes)
        {
            return invalid("field '" + field + "' must be at most " + maxBytes + " bytes of UTF-8");
        }
        final int chars = Utf8.codePointCount(buffer, pos + 2, length);
        if (chars < 0)
        {
            return invalid("field '" + field + "' must be well-formed UTF-8");
        }
        if (chars > maxChars)
        {
            return invalid("field '" + field + "' must be at most " + maxChars + " chars");
        }
        return end;
    }

    /** A fixed-size field of {@code size} bytes at {@code pos}; its end, or -1 if it runs past the message. */
    protected final int fixed(final int pos, final int size, final String group, final int index, final String field)
    {
        return pos + size > limit ? truncated(group, index, field) : pos + size;
    }

    /** True if the last field ended exactly at the end of the message. */
    protected final boolean end(final int pos)
    {
        if (pos != limit)
        {
            malformed((limit - pos) + " bytes after the last field");
            return false;
        }
        return true;
    }

    protected final boolean inRange(final long value, final long min, final long max, final String group,
        final int index, final String field)
    {
        if (value < min || value > max)
        {
            invalid("field '" + path(group, index, field) + "' must be in " + min + ".." + max + ", was " + value);
            return false;
        }
        return true;
    }

    protected final boolean unusedZero(final long value)
    {
        if (value != 0)
        {
            malformed("unused bytes must be zero");
            return false;
        }
        return true;
    }

    protected final int malformed(final String what)
    {
        violation = "malformed " + MessageType.name(messageTypeOrZero()) + ": " + what;
        return -1;
    }

    protected final int invalid(final String message)
    {
        violation = message;
        return -1;
    }

    protected final int truncated(final String group, final int index, final String field)
    {
        return malformed("field '" + path(group, index, field) + "' runs past the end of the frame");
    }

    /** True if the ASCII fields at the two offsets hold the same chars. */
    protected final boolean asciiEquals(final int posA, final int posB)
    {
        final int length = buffer.getByte(posA) & 0xFF;
        if (length != (buffer.getByte(posB) & 0xFF))
        {
            return false;
        }
        for (int i = 1; i <= length; i++)
        {
            if (buffer.getByte(posA + i) != buffer.getByte(posB + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Folds the ASCII field at {@code pos}, length byte included, into an FNV-1a hash: equal fields hash equal, so
     * comparing hashes first keeps a pairwise duplicate check cheap.
     */
    protected final long asciiHash(final long seed, final int pos)
    {
        long hash = seed;
        final int end = pos + 1 + (buffer.getByte(pos) & 0xFF);
        for (int i = pos; i < end; i++)
        {
            hash ^= buffer.getByte(i) & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** The ASCII field at {@code pos} as a String (allocates); null if it is empty. */
    protected final String asciiOrNull(final int pos)
    {
        final int length = buffer.getByte(pos) & 0xFF;
        return length == 0 ? null : buffer.getStringWithoutLengthAscii(pos + 1, length);
    }

    /** The ASCII field at {@code pos} as a String, through {@code interner} (see {@link AsciiInterner}); null if empty. */
    protected final String asciiOrNull(final int pos, final AsciiInterner interner)
    {
        final int length = buffer.getByte(pos) & 0xFF;
        return length == 0 ? null : interner.intern(buffer, pos + 1, length);
    }

    protected final int asciiLength(final int pos)
    {
        return buffer.getByte(pos) & 0xFF;
    }

    /** Appends the ASCII field at {@code pos} to {@code out}, without allocating. */
    protected final void appendAscii(final int pos, final Appendable out)
    {
        buffer.getStringWithoutLengthAscii(pos + 1, buffer.getByte(pos) & 0xFF, out);
    }

    /** The text field at {@code pos} as a String (allocates); null if it is empty. */
    protected final String textOrNull(final int pos)
    {
        final int length = buffer.getShort(pos, LITTLE_ENDIAN) & 0xFFFF;
        return length == 0 ? null : buffer.getStringWithoutLengthUtf8(pos + 2, length);
    }

    protected final long blockLong(final int blockOffset)
    {
        return buffer.getLong(offset + HEADER_LENGTH + blockOffset, LITTLE_ENDIAN);
    }

    protected final int blockInt(final int blockOffset)
    {
        return buffer.getInt(offset + HEADER_LENGTH + blockOffset, LITTLE_ENDIAN);
    }

    protected final int blockUint16(final int blockOffset)
    {
        return buffer.getShort(offset + HEADER_LENGTH + blockOffset, LITTLE_ENDIAN) & 0xFFFF;
    }

    protected final int blockUint8(final int blockOffset)
    {
        return buffer.getByte(offset + HEADER_LENGTH + blockOffset) & 0xFF;
    }

    private int messageTypeOrZero()
    {
        return limit - offset >= HEADER_LENGTH ? messageType() : 0;
    }

    private static String path(final String group, final int index, final String field)
    {
        if (group == null)
        {
            return field;
        }
        return field == null ? group + "[" + index + "]" : group + "[" + index + "]." + field;
    }
}
