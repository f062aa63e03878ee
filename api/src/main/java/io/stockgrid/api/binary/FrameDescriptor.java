package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * A frame on the TCP stream: a little-endian int32 giving the length of the message that follows (not counting the
 * length field itself), then the message.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Message Length (int32 LE)                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Message: header (16 bytes) and body             ...
 *  +---------------------------------------------------------------+
 * </pre>
 * A message length below {@link MessageHeaderDescriptor#HEADER_LENGTH} or above the receiver's maximum frame size is
 * refused before any of the message is read: the receiver answers an ERROR frame and closes the connection.
 */
public final class FrameDescriptor
{
    public static final int LENGTH_FIELD_OFFSET = 0;
    public static final int LENGTH_FIELD_LENGTH = 4;
    /** The default largest message (header and body) a peer accepts. */
    public static final int MAX_FRAME_BYTES_DEFAULT = 64 * 1024;
    /** The smallest maximum a peer may configure: the largest valid v1 message must always fit. */
    public static final int MAX_FRAME_BYTES_MIN = 32 * 1024;
    /** The largest maximum a peer may configure. */
    public static final int MAX_FRAME_BYTES_MAX = 16 * 1024 * 1024;

    private FrameDescriptor()
    {
    }

    /** The offset of the message within a frame that starts at {@code frameOffset}. */
    public static int messageOffset(final int frameOffset)
    {
        return frameOffset + LENGTH_FIELD_LENGTH;
    }

    public static int messageLength(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + LENGTH_FIELD_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    public static void messageLength(final MutableDirectBuffer buffer, final int frameOffset, final int length)
    {
        buffer.putInt(frameOffset + LENGTH_FIELD_OFFSET, length, ByteOrder.LITTLE_ENDIAN);
    }
}
