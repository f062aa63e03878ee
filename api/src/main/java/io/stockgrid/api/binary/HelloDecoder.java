package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.HelloDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.HelloDescriptor.MAX_VERSION_OFFSET;
import static io.stockgrid.api.binary.HelloDescriptor.MIN_VERSION_OFFSET;
import static io.stockgrid.api.binary.HelloDescriptor.UNUSED_OFFSET;

/** Decodes a {@link HelloDescriptor HELLO}. */
public final class HelloDecoder extends MessageDecoder
{
    /** Where the secret field starts, or -1 when the HELLO has none (a version-1 HELLO). */
    private int secretAt = -1;

    public HelloDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        secretAt = -1;
        final int pos = blockStart(BLOCK_LENGTH);
        if (pos < 0 || !unusedZero(blockInt(UNUSED_OFFSET)))
        {
            return false;
        }
        int end = pos + BLOCK_LENGTH;
        if (HelloDescriptor.hasSecret(maxVersion()))
        {
            end = ascii(end, AsciiRule.SECRET, null, -1, "secret");
            if (end < 0)
            {
                return false;
            }
            secretAt = pos + BLOCK_LENGTH;
        }
        if (!end(end))
        {
            return false;
        }
        if (minVersion() < 1 || minVersion() > maxVersion())
        {
            invalid("field 'minVersion' must be in 1..maxVersion, was " + minVersion() + " (maxVersion "
                + maxVersion() + ")");
            return false;
        }
        return true;
    }

    /** The API key secret, or null when there is none (no secret field, or an empty one). Allocates. */
    public String secret()
    {
        return secretAt < 0 ? null : asciiOrNull(secretAt);
    }

    public int minVersion()
    {
        return blockUint16(MIN_VERSION_OFFSET);
    }

    public int maxVersion()
    {
        return blockUint16(MAX_VERSION_OFFSET);
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.HELLO;
    }

    @Override
    protected int expectedSchemaVersion()
    {
        return MessageHeaderDescriptor.HANDSHAKE_VERSION;
    }
}
