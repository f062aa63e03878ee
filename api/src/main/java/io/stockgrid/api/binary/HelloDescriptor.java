package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/**
 * HELLO (type 1), client to node: the first message on every connection, naming the range of schema versions the
 * client speaks and, from version 2, the API key secret it authenticates with. Its header always carries schema
 * version 1, so any client and node can read each other's HELLO. The node answers HELLO_OK with the version it chose,
 * or an ERROR and closes: INVALID_REQUEST if it speaks none of the versions, UNAUTHENTICATED if it checks keys and the
 * secret is missing or unknown.
 * <p>
 * Block length 8. A HELLO whose maxVersion is 2 or more has one variable field after the block, {@code secret}
 * (ascii8: a uint8 length, then 0..255 chars of printable ASCII without spaces; length 0 = no key); a HELLO whose
 * maxVersion is 1 (the version-1 layout) has none. So each HELLO has one encoding, and an old client's HELLO still
 * decodes, to be refused clearly by the version check. Offsets are from the start of the block (message offset 16).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Min Version (uint16)     |      Max Version (uint16)     |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Unused (uint32, zero)                     |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Secret Length |  Secret (ASCII, 0..255 bytes; maxVersion >= 2 only)  ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class HelloDescriptor
{
    public static final int MIN_VERSION_OFFSET = 0;
    public static final int MAX_VERSION_OFFSET = 2;
    public static final int UNUSED_OFFSET = 4;
    public static final int BLOCK_LENGTH = 8;
    /** A version-1 HELLO: header and block, no secret field. */
    public static final int LENGTH = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH;
    /** The longest HELLO: header, block and a 255-char secret. */
    public static final int LENGTH_MAX = LENGTH + 1 + Limits.SECRET_CHARS_MAX;

    private HelloDescriptor()
    {
    }

    /** True if a HELLO offering up to {@code maxVersion} carries the secret field. */
    public static boolean hasSecret(final int maxVersion)
    {
        return maxVersion >= MessageHeaderDescriptor.SECRET_SINCE_VERSION;
    }
}
