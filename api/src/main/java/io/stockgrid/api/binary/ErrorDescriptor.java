package io.stockgrid.api.binary;

/**
 * ERROR (type 3), node to client: the request with this request id was refused or failed, with the same error code
 * the HTTP door would answer (see {@link WireCodes#errorCode(io.stockgrid.api.ErrorCode)}) and a message. Request id
 * 0 means the error is about the connection (a bad frame or handshake), and the node closes the connection after
 * it. Block length 8, then the message text.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Error Code (uint16)      | Status (uint8)| Unused (zero) |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Retry After Ms (int32)                    |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Message Length (uint16)   |   Message (UTF-8, 0..1024)   ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * <ul>
 *   <li>Status: for RESERVATION_NOT_HELD the reservation's status ({@link WireCodes#status}), else 0.</li>
 *   <li>Retry After Ms: for the "try later" codes (OVERLOADED, NOT_READY, UNAVAILABLE) how long to wait, as HTTP's
 *   {@code Retry-After}; else 0.</li>
 * </ul>
 */
public final class ErrorDescriptor
{
    public static final int ERROR_CODE_OFFSET = 0;
    public static final int STATUS_OFFSET = 2;
    public static final int UNUSED_OFFSET = 3;
    public static final int RETRY_AFTER_MS_OFFSET = 4;
    public static final int BLOCK_LENGTH = 8;
    public static final int MESSAGE_BYTES_MAX = 1024;
    public static final int LENGTH_MAX = MessageHeaderDescriptor.HEADER_LENGTH + BLOCK_LENGTH + 2 + MESSAGE_BYTES_MAX;

    private ErrorDescriptor()
    {
    }
}
