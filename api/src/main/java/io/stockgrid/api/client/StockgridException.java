package io.stockgrid.api.client;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;

/**
 * A call that did not get its answer: either the node answered with an error ({@link Kind#ERROR_ANSWER}, with the
 * same {@link ErrorCode} the HTTP door would give), or the client could not get an answer at all. A reservation that
 * was REJECTED for lack of stock is not an exception: it is a {@link io.stockgrid.api.Reservation} with that status.
 * Invalid arguments are refused before anything is sent, with {@link IllegalArgumentException}.
 */
public final class StockgridException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind
    {
        /** The node answered with an error code. */
        ERROR_ANSWER,
        /** No answer within the request timeout, on every attempt the call was allowed. */
        TIMEOUT,
        /** The client's in-flight window was full: nothing was sent. */
        WINDOW_FULL,
        /**
         * No connection could be made in time, or it was lost while a call that may not be retried (SET_STOCK) was
         * in flight: its outcome is unknown.
         */
        CONNECTION,
        /** The node sent something that is not protocol v1; the connection was dropped. */
        PROTOCOL,
        /** The client is closed. */
        CLOSED,
        /** A blocking call's thread was interrupted while waiting (the call may still complete). */
        INTERRUPTED
    }

    private final Kind kind;
    private final transient ErrorCode errorCode;
    private final transient ReservationStatus status;
    private final int retryAfterMs;

    StockgridException(final Kind kind, final String message, final Throwable cause)
    {
        super(message, cause);
        this.kind = kind;
        this.errorCode = null;
        this.status = null;
        this.retryAfterMs = 0;
    }

    StockgridException(final ErrorCode errorCode, final ReservationStatus status, final int retryAfterMs,
        final String message)
    {
        super(errorCode + ": " + message);
        this.kind = Kind.ERROR_ANSWER;
        this.errorCode = errorCode;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
    }

    public Kind kind()
    {
        return kind;
    }

    /** The node's error code; null unless {@link #kind()} is {@link Kind#ERROR_ANSWER}. */
    public ErrorCode errorCode()
    {
        return errorCode;
    }

    /** For RESERVATION_NOT_HELD, the reservation's status (COMMITTED, RELEASED, EXPIRED, REJECTED); else null. */
    public ReservationStatus status()
    {
        return status;
    }

    /** For the "try later" answers, how long the node asks to wait; else 0. */
    public int retryAfterMs()
    {
        return retryAfterMs;
    }

    /**
     * True if the same call may succeed if made again later with the same ids: the node was overloaded, not
     * ready, failed part-way, or was still making the reservation, or the key was over its rate budget (wait
     * {@link #retryAfterMs()} first); or there was no answer or no connection.
     */
    public boolean isRetryable()
    {
        if (kind == Kind.ERROR_ANSWER)
        {
            return errorCode == ErrorCode.OVERLOADED || errorCode == ErrorCode.NOT_READY ||
                errorCode == ErrorCode.NO_QUORUM || errorCode == ErrorCode.RATE_LIMITED ||
                errorCode == ErrorCode.UNAVAILABLE || errorCode == ErrorCode.REQUEST_IN_PROGRESS;
        }
        return kind == Kind.TIMEOUT || kind == Kind.WINDOW_FULL || kind == Kind.CONNECTION;
    }
}
