package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ReturnDisposition;

/**
 * The numbers that stand for enum values on the wire. Explicit and fixed forever (never an ordinal): a value
 * without a number here cannot be sent, and an unknown number is refused.
 */
public final class WireCodes
{
    /** In ERROR: no reservation status applies. */
    public static final int STATUS_NONE = 0;
    public static final int UNKNOWN = -1;

    private WireCodes()
    {
    }

    public static int status(final ReservationStatus status)
    {
        if (status == null)
        {
            return STATUS_NONE;
        }
        return switch (status)
        {
            case HELD -> 1;
            case COMMITTED -> 2;
            case RELEASED -> 3;
            case EXPIRED -> 4;
            case REJECTED -> 5;
        };
    }

    /** The status for a wire code, or null for {@link #STATUS_NONE} or an unknown code. */
    public static ReservationStatus status(final int code)
    {
        return switch (code)
        {
            case 1 -> ReservationStatus.HELD;
            case 2 -> ReservationStatus.COMMITTED;
            case 3 -> ReservationStatus.RELEASED;
            case 4 -> ReservationStatus.EXPIRED;
            case 5 -> ReservationStatus.REJECTED;
            default -> null;
        };
    }

    public static int disposition(final ReturnDisposition disposition)
    {
        return switch (disposition)
        {
            case RESTOCK -> 1;
            case DAMAGED -> 2;
        };
    }

    /** The disposition for a wire code, or null if unknown. */
    public static ReturnDisposition disposition(final int code)
    {
        return switch (code)
        {
            case 1 -> ReturnDisposition.RESTOCK;
            case 2 -> ReturnDisposition.DAMAGED;
            default -> null;
        };
    }

    public static int errorCode(final ErrorCode code)
    {
        return switch (code)
        {
            case INVALID_REQUEST -> 1;
            case NOT_FOUND -> 2;
            case RESERVATION_NOT_FOUND -> 3;
            case METHOD_NOT_ALLOWED -> 4;
            case INSUFFICIENT_STOCK -> 5;
            case NEGATIVE_STOCK -> 6;
            case STOCK_LIMIT_EXCEEDED -> 7;
            case RESERVATION_NOT_HELD -> 8;
            case REQUEST_IN_PROGRESS -> 9;
            case PAYLOAD_TOO_LARGE -> 10;
            case UNSUPPORTED_MEDIA_TYPE -> 11;
            case IDEMPOTENCY_KEY_REUSED -> 12;
            case OVERLOADED -> 13;
            case UNAVAILABLE -> 14;
            case NOT_READY -> 15;
            case INTERNAL_ERROR -> 16;
            case NO_QUORUM -> 17;
            case UNAUTHENTICATED -> 18;
            case FORBIDDEN -> 19;
            case RATE_LIMITED -> 20;
        };
    }

    /** The error code for a wire code, or null if unknown. */
    public static ErrorCode errorCode(final int code)
    {
        return switch (code)
        {
            case 1 -> ErrorCode.INVALID_REQUEST;
            case 2 -> ErrorCode.NOT_FOUND;
            case 3 -> ErrorCode.RESERVATION_NOT_FOUND;
            case 4 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 5 -> ErrorCode.INSUFFICIENT_STOCK;
            case 6 -> ErrorCode.NEGATIVE_STOCK;
            case 7 -> ErrorCode.STOCK_LIMIT_EXCEEDED;
            case 8 -> ErrorCode.RESERVATION_NOT_HELD;
            case 9 -> ErrorCode.REQUEST_IN_PROGRESS;
            case 10 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 11 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 12 -> ErrorCode.IDEMPOTENCY_KEY_REUSED;
            case 13 -> ErrorCode.OVERLOADED;
            case 14 -> ErrorCode.UNAVAILABLE;
            case 15 -> ErrorCode.NOT_READY;
            case 16 -> ErrorCode.INTERNAL_ERROR;
            case 17 -> ErrorCode.NO_QUORUM;
            case 18 -> ErrorCode.UNAUTHENTICATED;
            case 19 -> ErrorCode.FORBIDDEN;
            case 20 -> ErrorCode.RATE_LIMITED;
            default -> null;
        };
    }
}
