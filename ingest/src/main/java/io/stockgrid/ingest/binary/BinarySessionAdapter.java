package io.stockgrid.ingest.binary;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.binary.AdjustDecoder;
import io.stockgrid.api.binary.AsciiInterner;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.GetAvailabilityDecoder;
import io.stockgrid.api.binary.HelloDecoder;
import io.stockgrid.api.binary.HelloOkDescriptor;
import io.stockgrid.api.binary.MessageHeaderDecoder;
import io.stockgrid.api.binary.MessageHeaderDescriptor;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationIdDecoder;
import io.stockgrid.api.binary.ReserveDecoder;
import io.stockgrid.api.binary.ReturnDecoder;
import io.stockgrid.api.binary.SetStockDecoder;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Operation;
import io.stockgrid.ingest.RequestLog;
import io.stockgrid.ingest.auth.AccessControl;
import io.stockgrid.ingest.auth.Keyring;
import io.stockgrid.ingest.auth.Scope;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Binary protocol v1 for one connection: cuts frames out of the byte stream, checks the handshake, decodes each
 * request with reused flyweights, hands it to the pipeline, and writes the answers, tagged with their request ids, in
 * the order they complete.
 * <p>
 * <b>Bounds.</b> A frame's length is checked before any of it is buffered: below the header or above the maximum,
 * the connection gets an ERROR and is closed. At most {@code maxInFlight} requests are worked on at once per
 * connection (one preallocated {@link RequestSlot} each); when they are all taken, or the socket's outbound buffer
 * is full, the connection stops reading, and frames already received wait undecoded until a slot frees.
 * <p>
 * <b>Refusals.</b> A frame that cannot be trusted to delimit the stream, a wrong schema id or version, anything but
 * HELLO first, a second HELLO, or a HELLO naming no version this node speaks: ERROR with request id 0, then close. A
 * well-delimited request that does not decode or validate (truncated fields, lying counts, values out of range), or
 * an unknown message type: ERROR INVALID_REQUEST with the request id, and the connection stays open. Nothing reaches
 * the pipeline unless every field was validated.
 * <p>
 * <b>Threads.</b> Everything here runs on the connection's event loop, except {@link #onCompleted}, which the
 * completing thread calls: it queues the slot (bounded, allocation-free) and schedules one drain task, which writes
 * every completed answer and flushes once.
 * <p>
 * <b>Observability.</b> Each answered request is counted and timed by operation and result (allocation-free), and
 * each mutating one gets a {@link RequestLog} line, only if that log is enabled: then, as the protocol carries a
 * correlation id only on RESERVE, a request without one is logged with one generated here.
 */
final class BinarySessionAdapter extends ChannelInboundHandlerAdapter
{
    private static final Logger LOG = LoggerFactory.getLogger(BinarySessionAdapter.class);
    static final long HELLO_TIMEOUT_MS = 10_000;
    private static final int AWAITING_HELLO = 0;
    private static final int OPEN = 1;
    private static final int CLOSED = 2;
    private static final int OUT_BUFFER_INITIAL_BYTES = 4096;
    private static final int DISCARD_READ_BYTES_THRESHOLD = 64 * 1024;

    private final CommandPipeline pipeline;
    private final AccessControl access;
    private final IngestMetrics metrics;
    private final RequestLog requestLog;
    private final int maxFrameBytes;
    private final int maxInFlight;

    private final UnsafeBuffer inBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer outBuffer = new UnsafeBuffer(new byte[0]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final HelloDecoder hello = new HelloDecoder();
    private final SetStockDecoder setStock = new SetStockDecoder();
    private final AdjustDecoder adjust = new AdjustDecoder();
    private final ReturnDecoder returnOf = new ReturnDecoder();
    private final ReserveDecoder reserve = new ReserveDecoder();
    private final ReservationIdDecoder reservationId = new ReservationIdDecoder();
    private final GetAvailabilityDecoder getAvailability = new GetAvailabilityDecoder();
    private final AnswerPublisher publisher = new AnswerPublisher();

    private final RequestSlot[] freeSlots;
    private int freeSlotCount;
    private final ManyToOneConcurrentArrayQueue<RequestSlot> completed;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainCompleted;
    private final Runnable helloTimeoutTask = this::onHelloTimeout;
    /**
     * SKUs and locations decoded on this event loop: a line whose key was seen recently reuses its Strings (no
     * allocation, hash codes already cached). One table per event loop thread, bounded ({@link AsciiInterner}).
     */
    private static final FastThreadLocal<AsciiInterner> KEY_PARTS = new FastThreadLocal<>()
    {
        @Override
        protected AsciiInterner initialValue()
        {
            return new AsciiInterner();
        }
    };

    private ChannelHandlerContext ctx;
    private ByteBuf cumulation;
    private ByteBuf out;
    /** Frames and answers are copied through this only when a buffer exposes neither an array nor an address. */
    private byte[] scratch;
    private boolean outIsScratch;
    private int state = AWAITING_HELLO;
    /** The client half-closed (EOF): no more requests come; the connection closes once every one is answered. */
    private boolean inputShutdown;
    /** The key the connection authenticated with at HELLO (null without keys), as of {@link #callerRing}. */
    private Keyring.Entry caller;
    private Keyring callerRing;
    private String keyId;
    private ScheduledFuture<?> helloTimeout;

    BinarySessionAdapter(final CommandPipeline pipeline, final IngestMetrics metrics, final int maxFrameBytes,
        final int maxInFlight, final AccessControl access)
    {
        this.pipeline = pipeline;
        this.access = access;
        this.metrics = metrics;
        this.requestLog = pipeline.requestLog();
        this.maxFrameBytes = maxFrameBytes;
        this.maxInFlight = maxInFlight;
        this.freeSlots = new RequestSlot[maxInFlight];
        for (int i = 0; i < maxInFlight; i++)
        {
            freeSlots[i] = new RequestSlot(this);
        }
        this.freeSlotCount = maxInFlight;
        this.completed = new ManyToOneConcurrentArrayQueue<>(maxInFlight);
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        helloTimeout = ctx.executor().schedule(helloTimeoutTask, HELLO_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof ByteBuf in))
        {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (state == CLOSED)
        {
            in.release();
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation,
            in);
        processFrames();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx)
    {
        flush();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
    {
        if (state != CLOSED)
        {
            processFrames();
            flush();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception
    {
        if (event instanceof ChannelInputShutdownEvent && !inputShutdown)
        {
            inputShutdown = true;
            if (state == AWAITING_HELLO)
            {
                closeSession();
                ctx.close();
            }
            else if (state != CLOSED)
            {
                // Frames already received are still requests: decode them (as slots free), answer them, then close.
                processFrames();
                flush();
            }
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        closeSession();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        closeSession();
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (cause instanceof IOException)
        {
            LOG.debug("connection error, closing", cause);
        }
        else
        {
            metrics.recordBinaryInternalError();
            LOG.error("unexpected failure on a binary connection, closing it", cause);
        }
        closeSession();
        ctx.close();
    }

    /** Called by the thread that completed the request's future. */
    void onCompleted(final RequestSlot slot)
    {
        if (!completed.offer(slot))
        {
            // Cannot happen: the queue holds as many slots as exist. Fail loudly rather than lose an answer quietly.
            metrics.recordBinaryInternalError();
            LOG.error("completion queue full with {} slots; answer to request {} lost", maxInFlight, slot.requestId);
            return;
        }
        if (drainScheduled.compareAndSet(false, true))
        {
            try
            {
                ctx.executor().execute(drainTask);
            }
            catch (final RejectedExecutionException ex)
            {
                // The event loop is shutting down with the server: the connection is gone, nothing to answer.
                LOG.debug("event loop gone, dropping answer to request {}", slot.requestId);
            }
        }
    }

    private void drainCompleted()
    {
        drainScheduled.set(false);
        RequestSlot slot;
        while ((slot = completed.poll()) != null)
        {
            if (state != CLOSED)
            {
                writeAnswer(slot);
            }
            else
            {
                discardAnswer(slot);
            }
            slot.start(0, 0, null, null, null, 0);
            freeSlots[freeSlotCount++] = slot;
        }
        if (state != CLOSED)
        {
            processFrames();
            flush();
        }
    }

    private void processFrames()
    {
        try
        {
            while (state != CLOSED && cumulation != null && freeSlotCount > 0 && ctx.channel().isWritable())
            {
                final int readable = cumulation.readableBytes();
                if (readable < FrameDescriptor.LENGTH_FIELD_LENGTH)
                {
                    break;
                }
                final int frameStart = cumulation.readerIndex();
                final int length = cumulation.getIntLE(frameStart + FrameDescriptor.LENGTH_FIELD_OFFSET);
                if (length < MessageHeaderDescriptor.HEADER_LENGTH)
                {
                    refuseConnection(ErrorCode.INVALID_REQUEST, "frame length " + length + " is shorter than the "
                        + MessageHeaderDescriptor.HEADER_LENGTH + "-byte header");
                    break;
                }
                if (length > maxFrameBytes)
                {
                    refuseConnection(ErrorCode.PAYLOAD_TOO_LARGE, "frame length " + length
                        + " exceeds the maximum of " + maxFrameBytes + " bytes");
                    break;
                }
                if (readable < FrameDescriptor.LENGTH_FIELD_LENGTH + length)
                {
                    break;
                }
                wrapFrame(FrameDescriptor.messageOffset(frameStart), length);
                onMessage(length);
                if (cumulation != null)
                {
                    cumulation.readerIndex(frameStart + FrameDescriptor.LENGTH_FIELD_LENGTH + length);
                }
            }
        }
        catch (final RuntimeException ex)
        {
            // A bug, not bad input: bad input is refused above. Count it, log it, and drop the connection.
            metrics.recordBinaryInternalError();
            LOG.error("unexpected failure decoding a binary frame, closing the connection", ex);
            closeSession();
            ctx.close();
        }
        if (cumulation != null)
        {
            if (!cumulation.isReadable())
            {
                cumulation.release();
                cumulation = null;
            }
            else if (cumulation.readerIndex() > DISCARD_READ_BYTES_THRESHOLD)
            {
                cumulation.discardSomeReadBytes();
            }
        }
        updateAutoRead();
        if (inputShutdown)
        {
            closeIfDrained();
        }
    }

    /**
     * After the client's EOF: once no request is in flight and no whole frame is left unread, writes what is
     * buffered and closes. Bytes of a frame the EOF cut short are dropped unanswered (they are not a request).
     */
    private void closeIfDrained()
    {
        if (state == CLOSED || freeSlotCount != maxInFlight || hasWholeFrame())
        {
            return;
        }
        final ByteBuf last = out == null ? Unpooled.EMPTY_BUFFER : out;
        out = null;
        closeSession();
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }

    private boolean hasWholeFrame()
    {
        if (cumulation == null || cumulation.readableBytes() < FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            return false;
        }
        final int length = cumulation.getIntLE(cumulation.readerIndex() + FrameDescriptor.LENGTH_FIELD_OFFSET);
        return cumulation.readableBytes() >= FrameDescriptor.LENGTH_FIELD_LENGTH + (long)length;
    }

    private void wrapFrame(final int index, final int length)
    {
        if (cumulation.hasArray())
        {
            inBuffer.wrap(cumulation.array(), cumulation.arrayOffset() + index, length);
        }
        else if (cumulation.hasMemoryAddress())
        {
            inBuffer.wrap(cumulation.memoryAddress() + index, length);
        }
        else
        {
            final byte[] copy = scratch();
            cumulation.getBytes(index, copy, 0, length);
            inBuffer.wrap(copy, 0, length);
        }
    }

    private void onMessage(final int length)
    {
        header.wrap(inBuffer, 0);
        if (header.schemaId() != MessageHeaderDescriptor.SCHEMA_ID)
        {
            refuseConnection(ErrorCode.INVALID_REQUEST, "not a Stockgrid frame: schema id " + header.schemaId());
            return;
        }
        final int type = header.messageType();
        if (state == AWAITING_HELLO)
        {
            onHello(type, length);
            return;
        }
        if (type == MessageType.HELLO)
        {
            // Checked before the version: a HELLO's header always says 1, whatever was negotiated.
            refuseConnection(ErrorCode.INVALID_REQUEST, "HELLO was already exchanged");
            return;
        }
        if (header.schemaVersion() != MessageHeaderDescriptor.SCHEMA_VERSION_MAX)
        {
            refuseConnection(ErrorCode.INVALID_REQUEST, "schema version " + header.schemaVersion()
                + " on a connection that negotiated " + MessageHeaderDescriptor.SCHEMA_VERSION_MAX);
            return;
        }
        final long requestId = header.requestId();
        if (caller != null && !admitted(type, requestId))
        {
            return;
        }
        switch (type)
        {
            case MessageType.SET_STOCK ->
            {
                if (validated(setStock.wrap(inBuffer, 0, length).validate(), requestId, setStock.violation(),
                    Operation.SET_STOCK))
                {
                    final Commands.SetStock command = new Commands.SetStock(setStock.sku(), setStock.location(),
                        setStock.onHand(), setStock.safetyStock());
                    submit(take(requestId, RequestSlot.STOCK, null, Operation.SET_STOCK, command),
                        pipeline.setStock(command, keyId));
                }
            }
            case MessageType.ADJUST ->
            {
                if (validated(adjust.wrap(inBuffer, 0, length).validate(), requestId, adjust.violation(),
                    Operation.ADJUST_STOCK))
                {
                    final Commands.Adjust command = new Commands.Adjust(adjust.sku(), adjust.location(),
                        adjust.eventId(), adjust.delta(), adjust.reason());
                    submit(take(requestId, RequestSlot.STOCK, null, Operation.ADJUST_STOCK, command),
                        pipeline.adjust(command, keyId));
                }
            }
            case MessageType.RETURN ->
            {
                if (validated(returnOf.wrap(inBuffer, 0, length).validate(), requestId, returnOf.violation(),
                    Operation.RETURN))
                {
                    final Commands.Return command = new Commands.Return(returnOf.returnId(), returnOf.sku(),
                        returnOf.location(), returnOf.quantity(), returnOf.disposition());
                    submit(take(requestId, RequestSlot.STOCK, null, Operation.RETURN, command),
                        pipeline.acceptReturn(command, keyId));
                }
            }
            case MessageType.RESERVE ->
            {
                if (validated(reserve.wrap(inBuffer, 0, length).validate(), requestId, reserve.violation(),
                    Operation.RESERVE))
                {
                    final Commands.Reserve command = reserveCommand();
                    submit(take(requestId, RequestSlot.RESERVE, null, Operation.RESERVE, command),
                        pipeline.reserve(command));
                }
            }
            case MessageType.COMMIT, MessageType.RELEASE ->
            {
                final Operation op = type == MessageType.COMMIT ? Operation.COMMIT : Operation.RELEASE;
                if (validated(reservationId.wrap(inBuffer, 0, length).validate(), requestId,
                    reservationId.violation(), op))
                {
                    final String id = reservationId.reservationId();
                    final Commands.Settle command = new Commands.Settle(id,
                        op == Operation.COMMIT ? Commands.SettleAction.COMMIT : Commands.SettleAction.RELEASE);
                    submit(take(requestId, RequestSlot.SETTLE, id, op, command), pipeline.settle(command, keyId));
                }
            }
            case MessageType.GET_RESERVATION ->
            {
                if (validated(reservationId.wrap(inBuffer, 0, length).validate(), requestId,
                    reservationId.violation(), Operation.GET_RESERVATION))
                {
                    final String id = reservationId.reservationId();
                    submit(take(requestId, RequestSlot.GET_RESERVATION, id, Operation.GET_RESERVATION, null),
                        pipeline.reservation(id));
                }
            }
            case MessageType.GET_AVAILABILITY ->
            {
                if (validated(getAvailability.wrap(inBuffer, 0, length).validate(), requestId,
                    getAvailability.violation(), Operation.AVAILABILITY))
                {
                    submit(take(requestId, RequestSlot.AVAILABILITY, null, Operation.AVAILABILITY, null),
                        pipeline.availability(getAvailability.sku(), getAvailability.location()));
                }
            }
            default -> refuseRequest(requestId, "message type " + type + " (" + MessageType.name(type)
                + ") is not a request this node takes");
        }
    }

    private void onHello(final int type, final int length)
    {
        if (type != MessageType.HELLO)
        {
            refuseConnection(ErrorCode.INVALID_REQUEST, "the first message must be HELLO, not type " + type);
            return;
        }
        if (!hello.wrap(inBuffer, 0, length).validate())
        {
            refuseConnection(ErrorCode.INVALID_REQUEST, hello.violation());
            return;
        }
        final int version = Math.min(hello.maxVersion(), MessageHeaderDescriptor.SCHEMA_VERSION_MAX);
        if (version < Math.max(hello.minVersion(), MessageHeaderDescriptor.SCHEMA_VERSION_MIN))
        {
            refuseConnection(ErrorCode.INVALID_REQUEST, "unsupported schema version " + hello.minVersion() + ".."
                + hello.maxVersion() + "; this node speaks " + MessageHeaderDescriptor.SCHEMA_VERSION_MIN + ".."
                + MessageHeaderDescriptor.SCHEMA_VERSION_MAX);
            return;
        }
        if (access.enabled())
        {
            caller = access.authenticate(hello.secret(), "binary");
            if (caller == null)
            {
                refuseConnection(ErrorCode.UNAUTHENTICATED, "a known API key is required: send its secret in "
                    + "HELLO's secret field");
                return;
            }
            callerRing = access.keyring();
            keyId = caller.id();
        }
        state = OPEN;
        cancelHelloTimeout();
        final int offset = claimOut(HelloOkDescriptor.LENGTH);
        commitOut(offset, publisher.helloOk(hello.requestId(), version, maxFrameBytes, maxInFlight, outBuffer,
            offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
    }

    /**
     * Checks a request against the connection's key before it is decoded: the key must still be in force (a reload
     * may have removed it: ERROR UNAUTHENTICATED, then close), hold the message's scope (ERROR FORBIDDEN) and have a
     * token in its bucket (ERROR RATE_LIMITED with the wait in retryAfterMs). Allocation-free while the keys are
     * unchanged. True if the request may go on; a message type that is no request is left to the switch.
     */
    private boolean admitted(final int type, final long requestId)
    {
        final Operation op = operationOf(type);
        if (op == null)
        {
            return true;
        }
        final Keyring ring = access.keyring();
        if (ring != callerRing)
        {
            caller = access.current(caller);
            callerRing = ring;
            if (caller == null)
            {
                access.recordUnauthenticated("binary");
                onAnswered(op, null, ErrorCode.UNAUTHENTICATED, 0);
                final int offset = claimOut(FrameDescriptor.LENGTH_FIELD_LENGTH + AnswerPublisher.SHORT_ANSWER_LENGTH_MAX);
                commitOut(offset, publisher.error(requestId, ErrorCode.UNAUTHENTICATED, "key " + keyId
                    + " is no longer known; closing the connection", outBuffer,
                    offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
                metrics.recordBinaryRefusal(true);
                final ByteBuf last = out;
                out = null;
                closeSession();
                ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
                return false;
            }
        }
        final Scope scope = scopeOf(op);
        final long verdict = access.admit(caller, scope);
        if (verdict == AccessControl.ALLOWED)
        {
            return true;
        }
        final int offset = claimOut(FrameDescriptor.LENGTH_FIELD_LENGTH + AnswerPublisher.SHORT_ANSWER_LENGTH_MAX);
        final int at = offset + FrameDescriptor.LENGTH_FIELD_LENGTH;
        commitOut(offset, verdict == AccessControl.FORBIDDEN ?
            publisher.forbidden(requestId, keyId, scope.label(), MessageType.name(type), outBuffer, at) :
            publisher.rateLimited(requestId, keyId, verdict, outBuffer, at));
        onAnswered(op, null, verdict == AccessControl.FORBIDDEN ? ErrorCode.FORBIDDEN : ErrorCode.RATE_LIMITED, 0);
        return false;
    }

    private static Operation operationOf(final int type)
    {
        return switch (type)
        {
            case MessageType.SET_STOCK -> Operation.SET_STOCK;
            case MessageType.ADJUST -> Operation.ADJUST_STOCK;
            case MessageType.RETURN -> Operation.RETURN;
            case MessageType.RESERVE -> Operation.RESERVE;
            case MessageType.COMMIT -> Operation.COMMIT;
            case MessageType.RELEASE -> Operation.RELEASE;
            case MessageType.GET_RESERVATION -> Operation.GET_RESERVATION;
            case MessageType.GET_AVAILABILITY -> Operation.AVAILABILITY;
            default -> null;
        };
    }

    /** The scope each binary request needs: the same as its HTTP route's. */
    private static Scope scopeOf(final Operation op)
    {
        return switch (op)
        {
            case SET_STOCK, ADJUST_STOCK, RETURN -> Scope.STOCK_WRITE;
            case RESERVE, COMMIT, RELEASE -> Scope.RESERVATIONS_WRITE;
            case GET_RESERVATION, AVAILABILITY, SKU_AVAILABILITY -> Scope.READ;
        };
    }

    private Commands.Reserve reserveCommand()
    {
        final int count = reserve.lineCount();
        final ReservationLine[] lines = new ReservationLine[count];
        final AsciiInterner keyParts = KEY_PARTS.get();
        for (int i = 0; i < count; i++)
        {
            lines[i] = new ReservationLine(reserve.lineSku(i, keyParts), reserve.lineLocation(i, keyParts),
                reserve.lineQuantity(i));
        }
        final List<ReservationLine> list = List.of(lines);
        final int ttlSeconds = reserve.ttlSeconds();
        return new Commands.Reserve(reserve.reservationId(), list, ttlSeconds, reserve.correlationId(),
            Commands.reserveFingerprint(list, ttlSeconds), keyId);
    }

    private boolean validated(final boolean valid, final long requestId, final String violation,
        final Operation op)
    {
        if (!valid)
        {
            refuseRequest(requestId, violation);
            onAnswered(op, null, ErrorCode.INVALID_REQUEST, 0);
        }
        return valid;
    }

    private RequestSlot take(final long requestId, final int kind, final String reservationId, final Operation op,
        final Object command)
    {
        final RequestSlot slot = freeSlots[--freeSlotCount];
        freeSlots[freeSlotCount] = null;
        slot.start(requestId, kind, reservationId, op, command, System.nanoTime());
        return slot;
    }

    private static void submit(final RequestSlot slot, final CompletableFuture<?> future)
    {
        future.whenComplete(slot);
    }

    private void writeAnswer(final RequestSlot slot)
    {
        final int offset = claimOut(FrameDescriptor.LENGTH_FIELD_LENGTH + AnswerPublisher.lengthMax(slot.kind));
        ErrorCode error;
        try
        {
            commitOut(offset, publisher.answer(slot, outBuffer, offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
            error = publisher.lastError();
        }
        catch (final RuntimeException ex)
        {
            metrics.recordBinaryInternalError();
            LOG.error("failed to encode the answer to request {}", slot.requestId, ex);
            commitOut(offset, publisher.error(slot.requestId, ErrorCode.INTERNAL_ERROR, "internal error", outBuffer,
                offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
            error = ErrorCode.INTERNAL_ERROR;
        }
        onAnswered(slot.op, slot.command, error, slot.startNs);
    }

    /**
     * The connection closed before this request's answer could be written. A mutation may still have been applied,
     * so it is counted and logged all the same, with the answer it would have had (encoded into scratch: a rare
     * path). A read is dropped silently.
     */
    private void discardAnswer(final RequestSlot slot)
    {
        if (slot.op == null || !slot.op.mutating())
        {
            return;
        }
        ErrorCode error;
        try
        {
            final byte[] copy = scratch();
            publisher.answer(slot, new UnsafeBuffer(copy), 0);
            error = publisher.lastError();
        }
        catch (final RuntimeException ex)
        {
            error = ErrorCode.INTERNAL_ERROR;
        }
        onAnswered(slot.op, slot.command, error, slot.startNs);
    }

    /** Counts and times an answered request and, for a mutation, writes its request log line. */
    private void onAnswered(final Operation op, final Object command, final ErrorCode error, final long startNs)
    {
        final long latencyNs = startNs == 0 ? 0 : System.nanoTime() - startNs;
        metrics.recordBinaryRequest(op, error, latencyNs);
        if (op.mutating() && requestLog.isEnabled())
        {
            final String given = command instanceof Commands.Reserve r ? r.correlationId() : null;
            final int status = error != null ? error.httpStatus() : op == Operation.RESERVE ? 201 : 200;
            requestLog.log("binary", op, given != null ? given : requestLog.newCorrelationId(), keyId, command,
                status, error, latencyNs);
        }
    }

    private void refuseRequest(final long requestId, final String message)
    {
        metrics.recordBinaryRefusal(false);
        final int offset = claimOut(FrameDescriptor.LENGTH_FIELD_LENGTH + AnswerPublisher.SHORT_ANSWER_LENGTH_MAX);
        commitOut(offset, publisher.error(requestId, ErrorCode.INVALID_REQUEST, message, outBuffer,
            offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
    }

    /** Answers ERROR with request id 0, flushes, and closes: the stream can no longer be trusted. */
    private void refuseConnection(final ErrorCode code, final String message)
    {
        metrics.recordBinaryRefusal(true);
        final int offset = claimOut(FrameDescriptor.LENGTH_FIELD_LENGTH + AnswerPublisher.SHORT_ANSWER_LENGTH_MAX);
        commitOut(offset, publisher.error(0, code, message, outBuffer, offset + FrameDescriptor.LENGTH_FIELD_LENGTH));
        final ByteBuf last = out;
        out = null;
        closeSession();
        ctx.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Makes room for a frame of up to {@code frameLengthMax} bytes at the end of the outbound buffer and wraps
     * {@link #outBuffer} over it, so that the frame starts at offset 0 of {@code outBuffer}; returns that offset.
     */
    private int claimOut(final int frameLengthMax)
    {
        if (out == null)
        {
            out = ctx.alloc().ioBuffer(Math.max(OUT_BUFFER_INITIAL_BYTES, frameLengthMax));
        }
        out.ensureWritable(frameLengthMax);
        final int index = out.writerIndex();
        if (out.hasArray())
        {
            outBuffer.wrap(out.array(), out.arrayOffset() + index, out.writableBytes());
            outIsScratch = false;
        }
        else if (out.hasMemoryAddress())
        {
            outBuffer.wrap(out.memoryAddress() + index, out.writableBytes());
            outIsScratch = false;
        }
        else
        {
            outBuffer.wrap(scratch(), 0, frameLengthMax);
            outIsScratch = true;
        }
        return 0;
    }

    private void commitOut(final int offset, final int messageLength)
    {
        FrameDescriptor.messageLength(outBuffer, offset, messageLength);
        final int frameLength = FrameDescriptor.LENGTH_FIELD_LENGTH + messageLength;
        if (outIsScratch)
        {
            out.writeBytes(scratch, offset, frameLength);
        }
        else
        {
            out.writerIndex(out.writerIndex() + frameLength);
        }
    }

    private void flush()
    {
        if (out != null)
        {
            final ByteBuf pending = out;
            out = null;
            if (pending.isReadable() && state != CLOSED)
            {
                ctx.writeAndFlush(pending, ctx.voidPromise());
            }
            else
            {
                pending.release();
            }
        }
        updateAutoRead();
    }

    private void updateAutoRead()
    {
        final boolean read = state != CLOSED && !inputShutdown && freeSlotCount > 0 && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read)
        {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private byte[] scratch()
    {
        if (scratch == null)
        {
            scratch = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH +
                Math.max(maxFrameBytes, AnswerPublisher.RESERVATION_ANSWER_LENGTH_MAX)];
        }
        return scratch;
    }

    private void onHelloTimeout()
    {
        if (state == AWAITING_HELLO)
        {
            LOG.debug("no HELLO within {} ms, closing {}", HELLO_TIMEOUT_MS, ctx.channel());
            refuseConnection(ErrorCode.INVALID_REQUEST, "no HELLO within " + HELLO_TIMEOUT_MS + " ms");
        }
    }

    private void cancelHelloTimeout()
    {
        if (helloTimeout != null)
        {
            helloTimeout.cancel(false);
            helloTimeout = null;
        }
    }

    /** Stops reading and drops buffered input and output. Slots still in flight free themselves as they complete. */
    private void closeSession()
    {
        state = CLOSED;
        cancelHelloTimeout();
        if (cumulation != null)
        {
            cumulation.release();
            cumulation = null;
        }
        if (out != null)
        {
            out.release();
            out = null;
        }
        if (ctx != null && ctx.channel().config().isAutoRead())
        {
            ctx.channel().config().setAutoRead(false);
        }
    }
}
