package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;
import org.agrona.MutableDirectBuffer;

import static io.stockgrid.api.binary.ErrorDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ErrorDescriptor.ERROR_CODE_OFFSET;
import static io.stockgrid.api.binary.ErrorDescriptor.MESSAGE_BYTES_MAX;
import static io.stockgrid.api.binary.ErrorDescriptor.RETRY_AFTER_MS_OFFSET;
import static io.stockgrid.api.binary.ErrorDescriptor.STATUS_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Encodes an {@link ErrorDescriptor ERROR}. The message can be written whole ({@link #message}) or composed from
 * parts ({@link #appendMessage(CharSequence)}, {@link #appendMessage(long)}) without allocating; it is cut at 1024
 * bytes.
 */
public final class ErrorEncoder extends MessageEncoder
{
    private static final int LONG_CHARS_MAX = 20;
    private int messageAt;

    /** Wraps and writes an empty message. */
    public ErrorEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        wrapMessage(buffer, offset, MessageType.ERROR, BLOCK_LENGTH);
        messageAt = limit;
        buffer.putShort(messageAt, (short)0, LITTLE_ENDIAN);
        limit = messageAt + 2;
        return this;
    }

    public ErrorEncoder requestId(final long requestId)
    {
        putRequestId(requestId);
        return this;
    }

    public ErrorEncoder errorCode(final ErrorCode code)
    {
        blockUint16(ERROR_CODE_OFFSET, WireCodes.errorCode(code));
        return this;
    }

    public ErrorEncoder status(final ReservationStatus status)
    {
        blockUint8(STATUS_OFFSET, WireCodes.status(status));
        return this;
    }

    public ErrorEncoder retryAfterMs(final int retryAfterMs)
    {
        blockInt(RETRY_AFTER_MS_OFFSET, retryAfterMs);
        return this;
    }

    /** Replaces the message. */
    public ErrorEncoder message(final CharSequence message)
    {
        limit = messageAt + 2;
        buffer.putShort(messageAt, (short)0, LITTLE_ENDIAN);
        return appendMessage(message);
    }

    public ErrorEncoder appendMessage(final CharSequence part)
    {
        final int length = messageLength();
        final int written = Utf8.put(buffer, limit, part, MESSAGE_BYTES_MAX - length);
        limit += written;
        buffer.putShort(messageAt, (short)(length + written), LITTLE_ENDIAN);
        return this;
    }

    public ErrorEncoder appendMessage(final long value)
    {
        final int length = messageLength();
        if (length + LONG_CHARS_MAX <= MESSAGE_BYTES_MAX)
        {
            final int written = buffer.putLongAscii(limit, value);
            limit += written;
            buffer.putShort(messageAt, (short)(length + written), LITTLE_ENDIAN);
        }
        return this;
    }

    private int messageLength()
    {
        return buffer.getShort(messageAt, LITTLE_ENDIAN) & 0xFFFF;
    }
}
