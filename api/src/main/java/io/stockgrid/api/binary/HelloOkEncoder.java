package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.HelloOkDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.HelloOkDescriptor.MAX_FRAME_BYTES_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.MAX_IN_FLIGHT_OFFSET;
import static io.stockgrid.api.binary.HelloOkDescriptor.VERSION_OFFSET;

/** Encodes a {@link HelloOkDescriptor HELLO_OK}. */
public final class HelloOkEncoder extends MessageEncoder
{
    public HelloOkEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.HELLO_OK, BLOCK_LENGTH, MessageHeaderDescriptor.HANDSHAKE_VERSION);
        return this;
    }

    public HelloOkEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public HelloOkEncoder version(final int version)
    {
        blockUint16(VERSION_OFFSET, version);
        return this;
    }

    public HelloOkEncoder maxFrameBytes(final int maxFrameBytes)
    {
        blockInt(MAX_FRAME_BYTES_OFFSET, maxFrameBytes);
        return this;
    }

    public HelloOkEncoder maxInFlight(final int maxInFlight)
    {
        blockInt(MAX_IN_FLIGHT_OFFSET, maxInFlight);
        return this;
    }
}
