package io.stockgrid.api.binary;

import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.HelloDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.HelloDescriptor.MAX_VERSION_OFFSET;
import static io.stockgrid.api.binary.HelloDescriptor.MIN_VERSION_OFFSET;

/**
 * Encodes a {@link HelloDescriptor HELLO}. Set the versions first; when {@code maxVersion} is 2 or more, then call
 * {@link #secret} (null or empty: no key), which the layout then requires.
 */
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

    /** The API key secret (null: none). Only in a HELLO whose maxVersion is 2 or more. */
    public HelloEncoder secret(final CharSequence secret)
    {
        appendAscii(secret, "secret");
        return this;
    }
}
