package io.stockgrid.ingest.binary;

import io.stockgrid.ingest.Operation;

import java.util.function.BiConsumer;

/**
 * One request in flight on a connection: preallocated with the connection (as many as its window), taken when a
 * request is dispatched and returned when its answer is written. It is the completion callback of the pipeline's
 * future, so completing a request allocates no lambda. Fields are written by the completing thread before the slot
 * is offered to the connection's completion queue and read on the event loop after it is polled (the queue orders
 * them).
 */
final class RequestSlot implements BiConsumer<Object, Throwable>
{
    static final int STOCK = 1;
    static final int AVAILABILITY = 2;
    static final int RESERVE = 3;
    static final int SETTLE = 4;
    static final int GET_RESERVATION = 5;

    private final BinarySessionAdapter owner;
    long requestId;
    int kind;
    /** For SETTLE and GET_RESERVATION, the id their error messages name. */
    String reservationId;
    /** What was asked, for metrics and the request log, and the command (null for reads). */
    Operation op;
    Object command;
    long startNs;
    Object value;
    Throwable error;

    RequestSlot(final BinarySessionAdapter owner)
    {
        this.owner = owner;
    }

    void start(final long requestId, final int kind, final String reservationId, final Operation op,
        final Object command, final long startNs)
    {
        this.requestId = requestId;
        this.kind = kind;
        this.reservationId = reservationId;
        this.op = op;
        this.command = command;
        this.startNs = startNs;
        this.value = null;
        this.error = null;
    }

    @Override
    public void accept(final Object value, final Throwable error)
    {
        this.value = value;
        this.error = error;
        owner.onCompleted(this);
    }
}
