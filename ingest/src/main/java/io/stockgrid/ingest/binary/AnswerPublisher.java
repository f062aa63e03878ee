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
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.Refusal;
import io.stockgrid.ingest.StockOutcome;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Encodes the answer to a request, mapping the pipeline's outcomes by the table the HTTP door reads too
 * ({@link Refusal}: same error codes, statuses, messages, Retry-After as {@code retryAfterMs}), with reused encoders
 * and without allocating.
 * One per connection, used on its event loop only.
 */
final class AnswerPublisher
{
    private static final Logger LOG = LoggerFactory.getLogger(AnswerPublisher.class);
    static final int RETRY_AFTER_MS = Refusal.RETRY_AFTER_MS;
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
        final Refusal refusal = Refusal.ofStock(o.code());
        if (refusal == null)
        {
            return availability(requestId, o.availability(), buffer, offset);
        }
        final ErrorEncoder encoder = refusal(requestId, refusal, buffer, offset).appendMessage(refusal.part(0));
        if (refusal.arguments() == 1)
        {
            // NEGATIVE_STOCK, STOCK_LIMIT: the onHand the change was refused against.
            encoder.appendMessage(o.availability().onHand()).appendMessage(refusal.part(1));
        }
        return encoder.encodedLength();
    }

    private int availability(final long requestId, final Availability a, final MutableDirectBuffer buffer,
        final int offset)
    {
        return availability.wrap(buffer, offset).requestId(requestId).availability(a).encodedLength();
    }

    private int reserve(final long requestId, final ReservationOutcome o, final MutableDirectBuffer buffer,
        final int offset)
    {
        final Refusal refusal = Refusal.ofReserve(o.code());
        if (refusal != null)
        {
            return refusal(requestId, refusal, buffer, offset).appendMessage(refusal.message()).encodedLength();
        }
        final ReservationStatus first = firstStatus(o.state());
        final int length = reservation(requestId, o.state(), first, buffer, offset);
        lastError = first == ReservationStatus.REJECTED ? ErrorCode.INSUFFICIENT_STOCK : null;
        return length;
    }

    private int settle(final RequestSlot slot, final ReservationOutcome o, final MutableDirectBuffer buffer,
        final int offset)
    {
        final long requestId = slot.requestId;
        final Refusal refusal = Refusal.ofSettle(o.code());
        if (refusal == null)
        {
            return reservation(requestId, o.state(), o.state().phase().status(), buffer, offset);
        }
        final ErrorEncoder encoder = refusal(requestId, refusal, buffer, offset).appendMessage(refusal.part(0))
            .appendMessage(slot.reservationId).appendMessage(refusal.part(1));
        if (refusal == Refusal.RESERVATION_NOT_HELD)
        {
            encoder.status(o.state().phase().status()).appendMessage(o.state().phase().name())
                .appendMessage(refusal.part(2));
        }
        return encoder.encodedLength();
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
        final Refusal refusal = Refusal.RESERVATION_NOT_FOUND;
        return refusal(slot.requestId, refusal, buffer, offset).appendMessage(refusal.part(0))
            .appendMessage(slot.reservationId).appendMessage(refusal.part(1)).encodedLength();
    }

    /** An ERROR for an outcome of the shared table: its code, its retry-after, the message still to append. */
    private ErrorEncoder refusal(final long requestId, final Refusal refusal, final MutableDirectBuffer buffer,
        final int offset)
    {
        lastError = refusal.code();
        return error.wrap(buffer, offset).requestId(requestId).errorCode(refusal.code())
            .retryAfterMs(refusal.retryAfterMs());
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
        final Refusal refusal = Refusal.ofFailure(error);
        if (refusal == Refusal.GRID_FAILED)
        {
            LOG.warn("request failed in the grid", error instanceof CompletionException && error.getCause() != null ?
                error.getCause() : error);
        }
        return refusal(requestId, refusal, buffer, offset).appendMessage(refusal.message()).encodedLength();
    }
}
