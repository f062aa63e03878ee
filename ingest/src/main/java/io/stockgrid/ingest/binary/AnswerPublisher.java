package io.stockgrid.ingest.binary;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ShortLine;
import io.stockgrid.api.binary.AvailabilityDescriptor;
import io.stockgrid.api.binary.AvailabilityEncoder;
import io.stockgrid.api.binary.ErrorDescriptor;
import io.stockgrid.api.binary.ErrorEncoder;
import io.stockgrid.api.binary.HelloOkEncoder;
import io.stockgrid.api.binary.ReservationDescriptor;
import io.stockgrid.api.binary.ReservationEncoder;
import io.stockgrid.ingest.NoQuorum;
import io.stockgrid.ingest.NotReady;
import io.stockgrid.ingest.Overloaded;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.StockOutcome;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Encodes the answer to a request, mapping the pipeline's outcomes exactly as the HTTP door does (same error codes,
 * same statuses, same messages, Retry-After as {@code retryAfterMs}), with reused encoders and without allocating.
 * One per connection, used on its event loop only.
 */
final class AnswerPublisher
{
    private static final Logger LOG = LoggerFactory.getLogger(AnswerPublisher.class);
    static final int RETRY_AFTER_MS = 1000;
    /** The longest answer to a request that is answered by AVAILABILITY or ERROR. */
    static final int SHORT_ANSWER_LENGTH_MAX = Math.max(AvailabilityDescriptor.LENGTH_MAX, ErrorDescriptor.LENGTH_MAX);
    static final int RESERVATION_ANSWER_LENGTH_MAX = Math.max(ReservationDescriptor.LENGTH_MAX,
        ErrorDescriptor.LENGTH_MAX);

    private final AvailabilityEncoder availability = new AvailabilityEncoder();
    private final ReservationEncoder reservation = new ReservationEncoder();
    private final ErrorEncoder error = new ErrorEncoder();
    private final HelloOkEncoder helloOk = new HelloOkEncoder();
    /** The error code of the last answer encoded (INSUFFICIENT_STOCK for a rejected reservation), null if none. */
    private ErrorCode lastError;

    static int lengthMax(final int kind)
    {
        return kind == RequestSlot.STOCK || kind == RequestSlot.AVAILABILITY ?
            SHORT_ANSWER_LENGTH_MAX : RESERVATION_ANSWER_LENGTH_MAX;
    }

    /** Encodes the answer to a completed request at {@code offset}; returns the message length. */
    int answer(final RequestSlot slot, final MutableDirectBuffer buffer, final int offset)
    {
        lastError = null;
        if (slot.error != null)
        {
            return failure(slot.requestId, slot.error, buffer, offset);
        }
        return switch (slot.kind)
        {
            case RequestSlot.STOCK -> stock(slot.requestId, (StockOutcome)slot.value, buffer, offset);
            case RequestSlot.AVAILABILITY -> availability(slot.requestId, (Availability)slot.value, buffer, offset);
            case RequestSlot.RESERVE -> reserve(slot.requestId, (ReservationOutcome)slot.value, buffer, offset);
            case RequestSlot.SETTLE -> settle(slot, (ReservationOutcome)slot.value, buffer, offset);
            case RequestSlot.GET_RESERVATION -> getReservation(slot, (ReservationState)slot.value, buffer, offset);
            default -> throw new IllegalStateException("unknown request kind " + slot.kind);
        };
    }

    /** The error code of the answer encoded last, for metrics and the request log; null for a success. */
    ErrorCode lastError()
    {
        return lastError;
    }

    int helloOk(final long requestId, final int version, final int maxFrameBytes, final int maxInFlight,
        final MutableDirectBuffer buffer, final int offset)
    {
        return helloOk.wrap(buffer, offset).requestId(requestId).version(version).maxFrameBytes(maxFrameBytes)
            .maxInFlight(maxInFlight).encodedLength();
    }

    int error(final long requestId, final ErrorCode code, final CharSequence message, final MutableDirectBuffer buffer,
        final int offset)
    {
        return errorEncoder(requestId, code, buffer, offset).appendMessage(message).encodedLength();
    }

    /**
     * RATE_LIMITED for a key over its budget: the wait until its bucket has a token, in ms rounded up (HTTP gives
     * the same wait in whole seconds, rounded up). Allocation-free.
     */
    int rateLimited(final long requestId, final String keyId, final long waitNs, final MutableDirectBuffer buffer,
        final int offset)
    {
        final long waitMs = Math.max(1, Math.min(Integer.MAX_VALUE, (waitNs + 999_999L) / 1_000_000L));
        lastError = ErrorCode.RATE_LIMITED;
        return error.wrap(buffer, offset).requestId(requestId).errorCode(ErrorCode.RATE_LIMITED)
            .retryAfterMs((int)waitMs).appendMessage("key ").appendMessage(keyId)
            .appendMessage(" is over its rate limit; retry after ").appendMessage(waitMs).appendMessage(" ms")
            .encodedLength();
    }

    /** FORBIDDEN: the connection's key lacks the scope the message needs. Allocation-free. */
    int forbidden(final long requestId, final String keyId, final String scope, final CharSequence messageName,
        final MutableDirectBuffer buffer, final int offset)
    {
        return errorEncoder(requestId, ErrorCode.FORBIDDEN, buffer, offset).appendMessage("key ").appendMessage(keyId)
            .appendMessage(" lacks the scope '").appendMessage(scope).appendMessage("' that ")
            .appendMessage(messageName).appendMessage(" needs").encodedLength();
    }

    private ErrorEncoder errorEncoder(final long requestId, final ErrorCode code, final MutableDirectBuffer buffer,
        final int offset)
    {
        lastError = code;
        return error.wrap(buffer, offset).requestId(requestId).errorCode(code)
            .retryAfterMs(code.httpStatus() == 503 ? RETRY_AFTER_MS : 0);
    }

    private int stock(final long requestId, final StockOutcome o, final MutableDirectBuffer buffer, final int offset)
    {
        return switch (o.code())
        {
            case APPLIED, DUPLICATE -> availability(requestId, o.availability(), buffer, offset);
            case NEGATIVE_STOCK -> errorEncoder(requestId, ErrorCode.NEGATIVE_STOCK, buffer, offset)
                .appendMessage("the change would make onHand negative (onHand is ")
                .appendMessage(o.availability().onHand()).appendMessage("); nothing applied").encodedLength();
            case STOCK_LIMIT -> errorEncoder(requestId, ErrorCode.STOCK_LIMIT_EXCEEDED, buffer, offset)
                .appendMessage("the change would take onHand above 1000000000 (onHand is ")
                .appendMessage(o.availability().onHand()).appendMessage("); nothing applied").encodedLength();
            case FINGERPRINT_MISMATCH -> error(requestId, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this id was already used for a different change; nothing applied", buffer, offset);
        };
    }

    private int availability(final long requestId, final Availability a, final MutableDirectBuffer buffer,
        final int offset)
    {
        return availability.wrap(buffer, offset).requestId(requestId).availability(a).encodedLength();
    }

    private int reserve(final long requestId, final ReservationOutcome o, final MutableDirectBuffer buffer,
        final int offset)
    {
        return switch (o.code())
        {
            case HELD, REJECTED, REPLAYED ->
            {
                final ReservationStatus first = firstStatus(o.state());
                final int length = reservation(requestId, o.state(), first, buffer, offset);
                lastError = first == ReservationStatus.REJECTED ? ErrorCode.INSUFFICIENT_STOCK : null;
                yield length;
            }
            case IN_PROGRESS -> error(requestId, ErrorCode.REQUEST_IN_PROGRESS,
                "reservation is being made by another call; retry shortly", buffer, offset);
            case FINGERPRINT_MISMATCH -> error(requestId, ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "reservationId was already used for a different request", buffer, offset);
            case FAILED -> error(requestId, ErrorCode.UNAVAILABLE,
                "the grid failed part-way; nothing is held; retry with the same reservationId", buffer, offset);
            default -> throw new IllegalStateException("unexpected reserve outcome " + o.code());
        };
    }

    private int settle(final RequestSlot slot, final ReservationOutcome o, final MutableDirectBuffer buffer,
        final int offset)
    {
        final long requestId = slot.requestId;
        return switch (o.code())
        {
            case SETTLED -> reservation(requestId, o.state(), o.state().phase().status(), buffer, offset);
            case NOT_FOUND -> notFound(slot, buffer, offset);
            case NOT_HELD -> errorEncoder(requestId, ErrorCode.RESERVATION_NOT_HELD, buffer, offset)
                .status(o.state().phase().status()).appendMessage("reservation ").appendMessage(slot.reservationId)
                .appendMessage(" is ").appendMessage(o.state().phase().name()).encodedLength();
            case IN_PROGRESS -> errorEncoder(requestId, ErrorCode.REQUEST_IN_PROGRESS, buffer, offset)
                .appendMessage("reservation ").appendMessage(slot.reservationId)
                .appendMessage(" is still being made; retry shortly").encodedLength();
            default -> throw new IllegalStateException("unexpected settle outcome " + o.code());
        };
    }

    private int getReservation(final RequestSlot slot, final ReservationState state, final MutableDirectBuffer buffer,
        final int offset)
    {
        if (state == null || state.phase() == ReservationPhase.PENDING)
        {
            return notFound(slot, buffer, offset);
        }
        return reservation(slot.requestId, state, state.phase().status(), buffer, offset);
    }

    private int notFound(final RequestSlot slot, final MutableDirectBuffer buffer, final int offset)
    {
        return errorEncoder(slot.requestId, ErrorCode.RESERVATION_NOT_FOUND, buffer, offset)
            .appendMessage("no reservation ").appendMessage(slot.reservationId).encodedLength();
    }

    /** As {@link ReservationState#asFirstAnswered()}: the status the creating call answered. */
    private static ReservationStatus firstStatus(final ReservationState state)
    {
        final ReservationPhase first = state.firstOutcome();
        return first == null || first.status() == null ? ReservationStatus.HELD : first.status();
    }

    private int reservation(final long requestId, final ReservationState state, final ReservationStatus status,
        final MutableDirectBuffer buffer, final int offset)
    {
        final ReservationEncoder encoder = reservation.wrap(buffer, offset).requestId(requestId)
            .expiresAtMs(state.expiresAtMs()).status(status).reservationId(state.reservationId());
        final List<ReservationLine> lines = state.lines();
        for (int i = 0, n = lines.size(); i < n; i++)
        {
            final ReservationLine line = lines.get(i);
            encoder.line(line.quantity(), line.sku(), line.location());
        }
        if (status == ReservationStatus.REJECTED)
        {
            final List<ShortLine> shortLines = state.shortLines();
            for (int i = 0, n = shortLines.size(); i < n; i++)
            {
                final ShortLine line = shortLines.get(i);
                encoder.shortLine(line.quantity(), line.available(), line.sku(), line.location());
            }
        }
        return encoder.encodedLength();
    }

    private int failure(final long requestId, final Throwable error, final MutableDirectBuffer buffer,
        final int offset)
    {
        final Throwable cause = error instanceof CompletionException && error.getCause() != null ?
            error.getCause() : error;
        if (cause instanceof Overloaded)
        {
            return error(requestId, ErrorCode.OVERLOADED, "the node's in-flight work is full; try again shortly",
                buffer, offset);
        }
        if (cause instanceof NotReady)
        {
            return error(requestId, ErrorCode.NOT_READY, "the node is not ready", buffer, offset);
        }
        if (NoQuorum.isCauseOf(cause))
        {
            return error(requestId, ErrorCode.NO_QUORUM,
                "this member sees fewer members than the minimum cluster size; nothing changed", buffer, offset);
        }
        LOG.warn("request failed in the grid", cause);
        return error(requestId, ErrorCode.UNAVAILABLE, "the grid could not complete the call; retry with the same id",
            buffer, offset);
    }
}
