package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.HelloDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.HelloDescriptor.MAX_VERSION_OFFSET;
import static io.stockgrid.api.binary.HelloDescriptor.MIN_VERSION_OFFSET;

/** Encodes a {@link HelloDescriptor HELLO}. */
public final class HelloEncoder extends MessageEncoder
{
    public HelloEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.HELLO, BLOCK_LENGTH, MessageHeaderDescriptor.HANDSHAKE_VERSION);
        return this;
    }

    public HelloEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public HelloEncoder minVersion(final int version)
    {
        blockUint16(MIN_VERSION_OFFSET, version);
        return this;
    }

    public HelloEncoder maxVersion(final int version)
    {
        blockUint16(MAX_VERSION_OFFSET, version);
        return this;
    }
}
