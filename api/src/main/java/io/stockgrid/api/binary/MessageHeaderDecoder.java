package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.REQUEST_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_ID_OFFSET;
import static io.stockgrid.api.binary.MessageHeaderDescriptor.SCHEMA_VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/** Reads a {@link MessageHeaderDescriptor message header}. The caller makes sure 16 bytes are there. */
public final class MessageHeaderDecoder
{
    private DirectBuffer buffer;
    private int offset;

    public MessageHeaderDecoder wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int schemaId()
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public int schemaVersion()
    {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public int messageType()
    {
        return buffer.getShort(offset + MESSAGE_TYPE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public int blockLength()
    {
        return buffer.getShort(offset + BLOCK_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    public long requestId()
    {
        return buffer.getLong(offset + REQUEST_ID_OFFSET, LITTLE_ENDIAN);
    }
}
