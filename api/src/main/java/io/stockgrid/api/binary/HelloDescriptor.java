package io.stockgrid.api.binary;

/**
 * HELLO (type 1), client to node: the first message on every connection, naming the range of schema versions the
 * client speaks. Its header always carries schema version 1 (the handshake's layout never changes). The node answers
 * HELLO_OK with the version it chose, or, if it speaks none of them, an ERROR (INVALID_REQUEST) and closes.
 * Block length 8, no variable fields. Offsets are from the start of the block (message offset 16).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Min Version (uint16)     |      Max Version (uint16)     |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Unused (uint32, zero)                     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class HelloDescriptor
{
    public static final int MIN_VERSION_OFFSET = 0;
    public static final int MAX_VERSION_OFFSET = 2;
    public static final int UNUSED_OFFSET = 4;
    public static final int BLOCK_LENGTH = 8;
    public static final int LENGTH = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH;

    private HelloDescriptor()
    {
    }
}
