package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.HelloOkDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.HelloOkDescriptor.MAX_FRAME_BYTES_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.MAX_IN_FLIGHT_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.UNUSED_1_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.UNUSED_2_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.VERSION_OFFSET;

/** Decodes a {@link HelloOkDescriptor HELLO_OK}. */
public final class HelloOkDecoder extends MessageDecoder
{
    public HelloOkDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int pos = blockStart(BLOCK_LENGTH);
        return pos >= 0 &&
            unusedZero(blockUint16(UNUSED_1_OFFSET)) &&
            unusedZero(blockInt(UNUSED_2_OFFSET)) &&
            end(pos + BLOCK_LENGTH) &&
            inRange(version(), MessageHeaderDescriptor.SCHEMA_VERSION_MIN, MessageHeaderDescriptor.SCHEMA_VERSION_MAX,
                null, -1, "version") &&
            inRange(maxFrameBytes(), FrameDescriptor.MAX_FRAME_BYTES_MIN, FrameDescriptor.MAX_FRAME_BYTES_MAX, null,
                -1, "maxFrameBytes") &&
            inRange(maxInFlight(), 1, HelloOkDescriptor.MAX_IN_FLIGHT_MAX, null, -1, "maxInFlight");
    }

    public int version()
    {
        return blockUint16(VERSION_OFFSET);
    }

    public int maxFrameBytes()
    {
        return blockInt(MAX_FRAME_BYTES_OFFSET);
    }

    public int maxInFlight()
    {
        return blockInt(MAX_IN_FLIGHT_OFFSET);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.HELLO_OK;
    }

    @Override
    protected int expectedSchemaVersion()
    {
        return MessageHeaderDescriptor.HANDSHAKE_VERSION;
    }
}
