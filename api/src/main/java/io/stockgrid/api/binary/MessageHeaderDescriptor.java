package io.stockgrid.api.binary;

/**
 * The 16-byte header that starts every message. All fields little-endian.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Schema Id (uint16)       |    Schema Version (uint16)    |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Message Type (uint16)     |     Block Length (uint16)     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Request Id (int64)                      |  8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * <ul>
 *   <li>Schema Id: always {@link #SCHEMA_ID} ({@code 53 47}, "SG", on the wire).</li>
 *   <li>Schema Version: the version negotiated by HELLO; HELLO and HELLO_OK always carry 1 (their header, that is:
 *   a HELLO whose maxVersion is 2 or more also carries the secret field, see {@link HelloDescriptor}).</li>
 *   <li>Message Type: one of {@link MessageType}.</li>
 *   <li>Block Length: the length of the message's fixed block, which follows the header; in v1 it must equal the
 *   message type's block length.</li>
 *   <li>Request Id: chosen by the client, echoed by the answer (answers may come in any order).</li>
 * </ul>
 */
public final class MessageHeaderDescriptor
{
    public static final int SCHEMA_ID_OFFSET = 0;
    public static final int SCHEMA_VERSION_OFFSET = 2;
    public static final int MESSAGE_TYPE_OFFSET = 4;
    public static final int BLOCK_LENGTH_OFFSET = 6;
    public static final int REQUEST_ID_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    /** "SG" on the wire (little-endian 0x4753). */
    public static final int SCHEMA_ID = 0x4753;
    /** The version the handshake messages are always encoded in. */
    public static final int HANDSHAKE_VERSION = 1;
    /**
     * The oldest and newest schema versions this code speaks. Version 2 added the API key secret to HELLO and the
     * UNAUTHENTICATED, FORBIDDEN and RATE_LIMITED errors; version 1 carried no key, so a node that checks keys
     * cannot serve it, and this code speaks 2 only (a version-1 HELLO is refused by the version check).
     */
    public static final int SCHEMA_VERSION_MIN = 2;
    public static final int SCHEMA_VERSION_MAX = 2;
    /** The first version whose HELLO carries the {@code secret} field. */
    public static final int SECRET_SINCE_VERSION = 2;

    private MessageHeaderDescriptor()
    {
    }
}
