package io.stockgrid.api;

/** Error codes of the contract (HTTP v1, binary v2), each with the HTTP status it travels with. */
public enum ErrorCode
{
    INVALID_REQUEST(400),
    NOT_FOUND(404),
    RESERVATION_NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    INSUFFICIENT_STOCK(409),
    NEGATIVE_STOCK(409),
    STOCK_LIMIT_EXCEEDED(409),
    RESERVATION_NOT_HELD(409),
    REQUEST_IN_PROGRESS(409),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    IDEMPOTENCY_KEY_REUSED(422),
    OVERLOADED(503),
    UNAVAILABLE(503),
    NOT_READY(503),
    NO_QUORUM(503),
    INTERNAL_ERROR(500),
    /** No API key, or one the node does not know (or no longer knows). */
    UNAUTHENTICATED(401),
    /** The key is known but lacks the scope the route or message needs. */
    FORBIDDEN(403),
    /** The key is over its per-key rate budget; retry after the delay given. */
    RATE_LIMITED(429);

    private final int httpStatus;

    ErrorCode(final int httpStatus)
    {
        this.httpStatus = httpStatus;
    }

    public int httpStatus()
    {
        return httpStatus;
    }
}
