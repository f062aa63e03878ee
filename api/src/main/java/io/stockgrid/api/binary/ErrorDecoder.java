package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;
import org.agrona.DirectBuffer;

import static io.stockgrid.api.binary.ErrorDescriptor.BLOCK_LENGTH;
import static io.stockgrid.api.binary.ErrorDescriptor.ERROR_CODE_OFFSET;
import static io.stockgrid.api.binary.ErrorDescriptor.MESSAGE_BYTES_MAX;
import static io.stockgrid.api.binary.ErrorDescriptor.RETRY_AFTER_MS_OFFSET;
import static io.stockgrid.api.binary.ErrorDescriptor.STATUS_OFFSET;
import static io.stockgrid.api.binary.ErrorDescriptor.UNUSED_OFFSET;

/** Decodes an {@link ErrorDescriptor ERROR}. */
public final class ErrorDecoder extends MessageDecoder
{
    private int messageAt;

    public ErrorDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapMessage(buffer, offset, length);
        return this;
    }

    @Override
    public boolean validate()
    {
        final int block = blockStart(BLOCK_LENGTH);
        if (block < 0 || !unusedZero(blockUint8(UNUSED_OFFSET)))
        {
            return false;
        }
        messageAt = block + BLOCK_LENGTH;
        final int end = text(messageAt, MESSAGE_BYTES_MAX, MESSAGE_BYTES_MAX, "message");
        if (end < 0 || !end(end))
        {
            return false;
        }
        if (errorCode() == null)
        {
            invalid("field 'errorCode' has no meaning: " + blockUint16(ERROR_CODE_OFFSET));
            return false;
        }
        final int status = blockUint8(STATUS_OFFSET);
        if (status != WireCodes.STATUS_NONE && WireCodes.status(status) == null)
        {
            invalid("field 'status' has no meaning: " + status);
            return false;
        }
        return inRange(retryAfterMs(), 0, Integer.MAX_VALUE, null, -1, "retryAfterMs");
    }

    public ErrorCode errorCode()
    {
        return WireCodes.errorCode(blockUint16(ERROR_CODE_OFFSET));
    }

    /** The reservation's status for RESERVATION_NOT_HELD, else null. */
    public ReservationStatus status()
    {
        return WireCodes.status(blockUint8(STATUS_OFFSET));
    }

    public int retryAfterMs()
    {
        return blockInt(RETRY_AFTER_MS_OFFSET);
    }

    /** The message (allocates); empty if none. */
    public String message()
    {
        final String message = textOrNull(messageAt);
        return message == null ? "" : message;
    }

    @Override
    protected boolean acceptsType(final int type)
    {
        return type == MessageType.ERROR;
    }
}
