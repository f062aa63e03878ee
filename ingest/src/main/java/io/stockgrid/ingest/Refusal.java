package io.stockgrid.ingest;

import io.stockgrid.api.ErrorCode;

import java.util.concurrent.CompletionException;

/**
 * Every pipeline outcome that is answered with an error, in one table both doors read: its {@link ErrorCode} (which
 * fixes the HTTP status and the binary error code, {@code WireCodes}), whether it says "retry after" (HTTP
 * {@code Retry-After: 1}, binary {@code retryAfterMs} 1000: the 503s), and its message. Before this table the HTTP
 * door and the binary door each wrote the mapping, and their texts had drifted (NO_QUORUM).
 * <p>
 * A message is fixed text around at most two arguments, kept as its parts ({@link #part}) so that the binary door
 * appends them to its reused encoder without allocating, and the HTTP door joins them ({@link #message}):
 * {@code part(0) + arg0 + part(1) + arg1 + part(2)}.
 * <p>
 * The refusals that happen before the pipeline (bad input, no key, a missing scope, a rate limit, a bad frame) are
 * not here: their texts come from the decoders and from {@code AccessControl}'s callers, and carry per-door words
 * (a route or a message type).
 */
public enum Refusal
{
    /** The node's in-flight bound is full ({@link Overloaded}). */
    OVERLOADED(ErrorCode.OVERLOADED, "the node's in-flight work is full; try again shortly"),
    /** Recovering or draining ({@link NotReady}). */
    NOT_READY(ErrorCode.NOT_READY, "the node is not ready"),
    /** Fewer members than --min-cluster-size ({@link NoQuorum}). */
    NO_QUORUM(ErrorCode.NO_QUORUM,
        "this member sees fewer members than the minimum cluster size; nothing changed, retry later"),
    /** Any other failure of the grid call. */
    GRID_FAILED(ErrorCode.UNAVAILABLE, "the grid could not complete the call; retry with the same id"),

    /** A delta or return would take onHand below 0; argument: onHand now. */
    NEGATIVE_STOCK(ErrorCode.NEGATIVE_STOCK, "the change would make onHand negative (onHand is ",
        "); nothing applied"),
    /** A change would take onHand above 10^9; argument: onHand now. */
    STOCK_LIMIT(ErrorCode.STOCK_LIMIT_EXCEEDED, "the change would take onHand above 1000000000 (onHand is ",
        "); nothing applied"),
    /** An eventId or returnId seen before with another change. */
    CHANGE_ID_REUSED(ErrorCode.IDEMPOTENCY_KEY_REUSED,
        "this id was already used for a different change; nothing applied"),

    /** The reservationId is being reserved by another call. */
    RESERVE_IN_PROGRESS(ErrorCode.REQUEST_IN_PROGRESS, "reservation is being made by another call; retry shortly"),
    /** The reservationId was seen before with another body. */
    RESERVATION_ID_REUSED(ErrorCode.IDEMPOTENCY_KEY_REUSED, "reservationId was already used for a different request"),
    /** The grid failed part-way through a reservation (nothing is held). */
    RESERVE_FAILED(ErrorCode.UNAVAILABLE,
        "the grid failed part-way; nothing is held; retry with the same reservationId"),

    /** Commit, release or read of an unknown reservation; argument: its id. */
    RESERVATION_NOT_FOUND(ErrorCode.RESERVATION_NOT_FOUND, "no reservation ", ""),
    /** Commit or release of a reservation no longer HELD; arguments: its id, its status now. */
    RESERVATION_NOT_HELD(ErrorCode.RESERVATION_NOT_HELD, "reservation ", " is ", ""),
    /** Commit or release of a reservation still being made; argument: its id. */
    SETTLE_IN_PROGRESS(ErrorCode.REQUEST_IN_PROGRESS, "reservation ", " is still being made; retry shortly");

    /** The wait a "retry after" answer names: HTTP {@code Retry-After: 1}, binary {@code retryAfterMs}. */
    public static final int RETRY_AFTER_MS = 1_000;

    private final ErrorCode code;
    private final String[] parts;

    Refusal(final ErrorCode code, final String... parts)
    {
        this.code = code;
        this.parts = parts;
    }

    public ErrorCode code()
    {
        return code;
    }

    /** The HTTP status (the binary door sends {@link #code()}'s wire number instead). */
    public int httpStatus()
    {
        return code.httpStatus();
    }

    /** The wait to name, in ms: {@link #RETRY_AFTER_MS} for the 503s, else 0 (none). */
    public int retryAfterMs()
    {
        return code.httpStatus() == 503 ? RETRY_AFTER_MS : 0;
    }

    /** How many arguments the message takes (0, 1 or 2). */
    public int arguments()
    {
        return parts.length - 1;
    }

    /** The fixed text before argument {@code i} ({@code i == arguments()}: the text after the last one). */
    public String part(final int i)
    {
        return parts[i];
    }

    /** The message of a refusal without arguments. */
    public String message()
    {
        requireArguments(0);
        return parts[0];
    }

    public String message(final Object arg)
    {
        requireArguments(1);
        return parts[0] + arg + parts[1];
    }

    public String message(final Object arg0, final Object arg1)
    {
        requireArguments(2);
        return parts[0] + arg0 + parts[1] + arg1 + parts[2];
    }

    private void requireArguments(final int count)
    {
        if (arguments() != count)
        {
            throw new IllegalArgumentException(name() + " takes " + arguments() + " arguments, not " + count);
        }
    }

    /** A failed pipeline call (its future completed exceptionally). */
    public static Refusal ofFailure(final Throwable error)
    {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ?
            error.getCause() : error;
        if (cause instanceof Overloaded)
        {
            return OVERLOADED;
        }
        if (cause instanceof NotReady)
        {
            return NOT_READY;
        }
        if (NoQuorum.isCauseOf(cause))
        {
            return NO_QUORUM;
        }
        return GRID_FAILED;
    }

    /** A stock change (set, adjust, return): null when it is answered with the availability. */
    public static Refusal ofStock(final StockOutcome.Code code)
    {
        return switch (code)
        {
            case APPLIED, DUPLICATE -> null;
            case NEGATIVE_STOCK -> NEGATIVE_STOCK;
            case STOCK_LIMIT -> STOCK_LIMIT;
            case FINGERPRINT_MISMATCH -> CHANGE_ID_REUSED;
        };
    }

    /**
     * A reserve: null when it is answered with the reservation (HELD, or REJECTED, which HTTP answers 409
     * INSUFFICIENT_STOCK with the reservation's body and binary as a RESERVATION with status REJECTED).
     */
    public static Refusal ofReserve(final ReservationOutcome.Code code)
    {
        return switch (code)
        {
            case HELD, REJECTED, REPLAYED -> null;
            case IN_PROGRESS -> RESERVE_IN_PROGRESS;
            case FINGERPRINT_MISMATCH -> RESERVATION_ID_REUSED;
            case FAILED -> RESERVE_FAILED;
            default -> throw new IllegalStateException("unexpected reserve outcome " + code);
        };
    }

    /** A commit or release: null when it is answered with the reservation. */
    public static Refusal ofSettle(final ReservationOutcome.Code code)
    {
        return switch (code)
        {
            case SETTLED -> null;
            case NOT_FOUND -> RESERVATION_NOT_FOUND;
            case NOT_HELD -> RESERVATION_NOT_HELD;
            case IN_PROGRESS -> SETTLE_IN_PROGRESS;
            default -> throw new IllegalStateException("unexpected settle outcome " + code);
        };
    }
}
