package io.stockgrid.api.binary;

/**
 * HELLO_OK (type 2), node to client: the handshake succeeded. It echoes the HELLO's request id and carries the
 * schema version every later message on the connection uses, the largest message the node accepts, and how many
 * requests the node works on at once for this connection (beyond that it stops reading the connection until answers
 * drain). Its header always carries schema version 1. Block length 16, no variable fields.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Version (uint16)       |     Unused (uint16, zero)     |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Max Frame Bytes (int32)                    |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Max In Flight (int32)                     |  8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Unused (int32, zero)                      | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class HelloOkDescriptor
{
    public static final int VERSION_OFFSET = 0;
    public static final int UNUSED_1_OFFSET = 2;
    public static final int MAX_FRAME_BYTES_OFFSET = 4;
    public static final int MAX_IN_FLIGHT_OFFSET = 8;
    public static final int UNUSED_2_OFFSET = 12;
    public static final int BLOCK_LENGTH = 16;
    public static final int LENGTH = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH;
    /** The largest per-connection window a node may announce. */
    public static final int MAX_IN_FLIGHT_MAX = 65_536;

    private HelloOkDescriptor()
    {
    }
}
