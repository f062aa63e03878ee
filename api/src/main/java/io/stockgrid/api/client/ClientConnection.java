package io.stockgrid.api.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.ScheduledFuture;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.api.binary.AvailabilityDecoder;
import io.stockgrid.api.binary.ErrorDecoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.HelloDescriptor;
import io.stockgrid.api.binary.HelloEncoder;
import io.stockgrid.api.binary.HelloOkDecoder;
import io.stockgrid.api.binary.MessageHeaderDecoder;
import io.stockgrid.api.binary.MessageHeaderDescriptor;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationDecoder;
import io.stockgrid.api.transport.Transport;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's one connection to a node and everything that happens on it, confined to one event-loop thread:
 * connect and HELLO, the calls on the wire (by request id) and those waiting for a connection or for room in the
 * node's window, per-attempt timeouts, retries, and reconnecting with back-off after the connection is lost.
 * <p>
 * An attempt ends with its answer, its timeout, or the loss of its connection. A call whose attempt ended without an
 * answer is attempted again (a new request id, the same bytes, so the same reservationId, eventId or returnId) if it
 * is idempotent and has attempts left; otherwise it fails. A late answer to an abandoned attempt is ignored.
 */
final class ClientConnection
{
    private static final long RECONNECT_DELAY_MIN_MS = 50;
    private static final long RECONNECT_DELAY_MAX_MS = 2_000;

    private final String host;
    private final int port;
    private final long connectTimeoutMs;
    private final long requestTimeoutMs;
    /** The API key secret sent in every HELLO (null: none; a node that checks keys then refuses the handshake). */
    private final String secret;
    private final int maxRetries;
    private final int maxInFlight;
    private final int maxFrameBytes;
    /** The I/O threads: the client's own (closed with it) or shared ones (left running). */
    private final ClientEventLoops loops;
    private final boolean ownLoops;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final AtomicInteger callsInFlight = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> firstReady = new CompletableFuture<>();
    private final Runnable flushTask = this::flush;
    private final Runnable connectTask = this::connect;

    // Event loop only.
    private final Long2ObjectHashMap<Call> onWire = new Long2ObjectHashMap<>();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();
    private final UnsafeBuffer scratch;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final HelloOkDecoder helloOk = new HelloOkDecoder();
    private final ErrorDecoder error = new ErrorDecoder();
    private final AvailabilityDecoder availability = new AvailabilityDecoder();
    private final ReservationDecoder reservation = new ReservationDecoder();
    private Channel channel;
    private boolean ready;
    private int nodeWindow = 1;
    private long nextRequestId = 1;
    private int reconnects;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> handshakeTimer;
    private boolean flushScheduled;
    private boolean closed;
    private volatile String lastFailure = "not connected yet";
    /** True once lastFailure says why the current connection ended; else its close says it (event loop only). */
    private boolean failureExplained;

    ClientConnection(final String host, final int port, final long connectTimeoutMs, final long requestTimeoutMs,
        final int maxRetries, final int maxInFlight, final int maxFrameBytes, final Transport transport,
        final ClientEventLoops sharedLoops, final String secret, final SslContext sslContext)
    {
        this.secret = secret;
        this.host = host;
        this.port = port;
        this.connectTimeoutMs = connectTimeoutMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.maxRetries = maxRetries;
        this.maxInFlight = maxInFlight;
        this.maxFrameBytes = maxFrameBytes;
        this.scratch = new UnsafeBuffer(new byte[Math.max(maxFrameBytes, HelloDescriptor.LENGTH_MAX) +
            FrameDescriptor.LENGTH_FIELD_LENGTH]);
        this.ownLoops = sharedLoops == null;
        this.loops = ownLoops ? ClientEventLoops.single(transport) : sharedLoops;
        this.loop = loops.next();
        this.bootstrap = new Bootstrap()
            .group(loop)
            .channel(loops.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, connectTimeoutMs))
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (sslContext != null)
                    {
                        // HELLO, written on channelActive, waits in the SslHandler until the TLS handshake is done.
                        ch.pipeline().addLast(sslContext.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline()
                        .addLast(new LengthFieldBasedFrameDecoder(ByteOrder.LITTLE_ENDIAN,
                            maxFrameBytes + FrameDescriptor.LENGTH_FIELD_LENGTH, FrameDescriptor.LENGTH_FIELD_OFFSET,
                            FrameDescriptor.LENGTH_FIELD_LENGTH, 0, FrameDescriptor.LENGTH_FIELD_LENGTH, true))
                        .addLast(new AnswerAdapter());
                }
            });
    }

    String address()
    {
        return host + ":" + port;
    }

    /** Connects and waits for the handshake; throws if it does not complete within the connect timeout. */
    void start()
    {
        loop.execute(connectTask);
        try
        {
            firstReady.get(connectTimeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new StockgridException(StockgridException.Kind.INTERRUPTED, "interrupted while connecting", ex);
        }
        catch (final TimeoutException ex)
        {
            throw new StockgridException(StockgridException.Kind.CONNECTION, "could not connect to " + address()
                + " within " + connectTimeoutMs + " ms: " + lastFailure, null);
        }
        catch (final ExecutionException ex)
        {
            // The connection was refused, or ended before HELLO_OK: known now, no reason to wait out the timeout.
            throw new StockgridException(StockgridException.Kind.CONNECTION, "could not connect to " + address()
                + ": " + lastFailure, null);
        }
    }

    /** Takes a place in the window; false if it is full. Any thread. */
    boolean tryAcquire()
    {
        while (true)
        {
            final int current = callsInFlight.get();
            if (current >= maxInFlight)
            {
                return false;
            }
            if (callsInFlight.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    int maxInFlight()
    {
        return maxInFlight;
    }

    boolean isClosing()
    {
        return closing.get();
    }

    boolean inEventLoop()
    {
        return loop.inEventLoop();
    }

    /** Hands a call (whose window place is taken) to the event loop. Any thread. */
    void submit(final Call call)
    {
        try
        {
            loop.execute(() -> startCall(call));
        }
        catch (final RejectedExecutionException ex)
        {
            callsInFlight.decrementAndGet();
            call.future.completeExceptionally(closedException());
        }
    }

    /**
     * Fails every call with CLOSED and closes the connection; stops the event loop if it is the client's own. From
     * another thread it returns once that is done.
     */
    void close()
    {
        if (!closing.compareAndSet(false, true))
        {
            return;
        }
        final boolean onLoop = loop.inEventLoop();
        try
        {
            if (onLoop)
            {
                loop.execute(this::closeOnLoop);
            }
            else
            {
                loop.submit(this::closeOnLoop).awaitUninterruptibly();
            }
        }
        catch (final RejectedExecutionException ignore)
        {
            // already stopped
        }
        if (ownLoops)
        {
            if (onLoop)
            {
                loops.closeLater();
            }
            else
            {
                loops.close();
            }
        }
    }

    private void closeOnLoop()
    {
        closed = true;
        cancel(reconnectTask);
        cancel(handshakeTimer);
        final List<Call> calls = new ArrayList<>(waiting);
        calls.addAll(onWire.values());
        waiting.clear();
        onWire.clear();
        for (final Call call : calls)
        {
            fail(call, closedException());
        }
        if (channel != null)
        {
            channel.close();
            channel = null;
        }
        ready = false;
    }

    private static StockgridException closedException()
    {
        return new StockgridException(StockgridException.Kind.CLOSED, "the client is closed", null);
    }

    private void startCall(final Call call)
    {
        if (closed)
        {
            fail(call, closedException());
            return;
        }
        startAttempt(call);
    }

    private void startAttempt(final Call call)
    {
        final int attempt = ++call.attempts;
        call.timer = loop.schedule(() -> onAttemptTimeout(call, attempt), requestTimeoutMs, TimeUnit.MILLISECONDS);
        if (ready && waiting.isEmpty() && onWire.size() < nodeWindow)
        {
            send(call);
        }
        else
        {
            waiting.addLast(call);
            if (channel == null && reconnectTask == null)
            {
                connect();
            }
        }
    }

    private void send(final Call call)
    {
        final long requestId = nextRequestId++;
        call.requestId = requestId;
        onWire.put(requestId, call);
        final ByteBuf frame = channel.alloc().buffer(call.frame.length);
        frame.writeBytes(call.frame);
        frame.setLongLE(FrameDescriptor.LENGTH_FIELD_LENGTH + MessageHeaderDescriptor.REQUEST_ID_OFFSET, requestId);
        channel.write(frame, channel.voidPromise());
        if (!flushScheduled)
        {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flush()
    {
        flushScheduled = false;
        if (channel != null)
        {
            channel.flush();
        }
    }

    private void sendWaiting()
    {
        while (ready && !waiting.isEmpty() && onWire.size() < nodeWindow)
        {
            send(waiting.pollFirst());
        }
    }

    private void onAttemptTimeout(final Call call, final int attempt)
    {
        if (call.isDone() || call.attempts != attempt)
        {
            return;
        }
        call.timer = null;
        if (call.requestId != 0)
        {
            onWire.remove(call.requestId);
            call.requestId = 0;
            sendWaiting();
        }
        else
        {
            waiting.remove(call);
        }
        retryOrFail(call, StockgridException.Kind.TIMEOUT, "no answer from " + address() + " within "
            + requestTimeoutMs + " ms on " + call.attempts + " attempt(s)" +
            (ready ? "" : " (not connected: " + lastFailure + ")"));
    }

    private void retryOrFail(final Call call, final StockgridException.Kind kind, final String message)
    {
        if (!closed && call.retryable && call.attempts <= maxRetries)
        {
            startAttempt(call);
        }
        else
        {
            fail(call, new StockgridException(kind, message, null));
        }
    }

    private void complete(final Call call, final Object value)
    {
        call.cancelTimer();
        callsInFlight.decrementAndGet();
        call.future.complete(value);
    }

    private void fail(final Call call, final StockgridException ex)
    {
        call.cancelTimer();
        callsInFlight.decrementAndGet();
        call.future.completeExceptionally(ex);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connection life cycle
    // ---------------------------------------------------------------------------------------------------------------

    private void connect()
    {
        reconnectTask = null;
        if (closed || channel != null)
        {
            return;
        }
        failureExplained = false;
        final ChannelFuture connecting = bootstrap.connect(host, port);
        final Channel ch = connecting.channel();
        channel = ch;
        connecting.addListener(f ->
        {
            if (!f.isSuccess())
            {
                onConnectFailed(ch, f.cause());
            }
        });
        handshakeTimer = loop.schedule(() ->
        {
            if (channel == ch && !ready)
            {
                explain("no HELLO_OK within " + connectTimeoutMs + " ms");
                ch.close();
            }
        }, connectTimeoutMs, TimeUnit.MILLISECONDS);
    }

    private void onConnectFailed(final Channel ch, final Throwable cause)
    {
        explain(String.valueOf(cause));
        if (channel == ch)
        {
            channel = null;
            cancel(handshakeTimer);
            firstReady.completeExceptionally(cause);
            scheduleReconnect();
        }
    }

    private void onChannelActive(final Channel ch)
    {
        final int length = new HelloEncoder().wrap(scratch, FrameDescriptor.LENGTH_FIELD_LENGTH).requestId(0)
            .minVersion(MessageHeaderDescriptor.SCHEMA_VERSION_MIN)
            .maxVersion(MessageHeaderDescriptor.SCHEMA_VERSION_MAX)
            .secret(secret)
            .encodedLength();
        FrameDescriptor.messageLength(scratch, 0, length);
        final ByteBuf hello = ch.alloc().buffer(FrameDescriptor.LENGTH_FIELD_LENGTH + length);
        hello.writeBytes(scratch.byteArray(), 0, FrameDescriptor.LENGTH_FIELD_LENGTH + length);
        ch.writeAndFlush(hello, ch.voidPromise());
    }

    private void onReady(final int window)
    {
        ready = true;
        nodeWindow = window;
        reconnects = 0;
        cancel(handshakeTimer);
        firstReady.complete(null);
        sendWaiting();
    }

    private void onChannelClosed(final Channel ch)
    {
        if (ch != channel)
        {
            return;
        }
        if (!failureExplained)
        {
            // An EOF (the node closed, or shut its side) with nothing said: say so, rather than a stale reason.
            explain(ready ? "the node closed the connection" : "the node closed the connection before HELLO_OK");
        }
        channel = null;
        ready = false;
        cancel(handshakeTimer);
        // Fails a build() still waiting for its first handshake at once, with the reason, not at its timeout.
        firstReady.completeExceptionally(new IllegalStateException(lastFailure));
        if (!onWire.isEmpty())
        {
            final List<Call> lost = new ArrayList<>(onWire.values());
            onWire.clear();
            for (final Call call : lost)
            {
                call.requestId = 0;
                call.cancelTimer();
                retryOrFail(call, StockgridException.Kind.CONNECTION, "connection to " + address()
                    + " lost with the call in flight; its outcome is unknown (" + lastFailure + ")");
            }
        }
        scheduleReconnect();
    }

    private void scheduleReconnect()
    {
        if (closed || reconnectTask != null || channel != null)
        {
            return;
        }
        final long delayMs = Math.min(RECONNECT_DELAY_MAX_MS, RECONNECT_DELAY_MIN_MS << Math.min(reconnects, 6));
        reconnects++;
        reconnectTask = loop.schedule(connectTask, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Records why the current connection failed or ended (event loop only). */
    private void explain(final String failure)
    {
        lastFailure = failure;
        failureExplained = true;
    }

    private void protocolError(final Channel ch, final String what)
    {
        explain("protocol error: " + what);
        ch.close();
    }

    private static void cancel(final ScheduledFuture<?> task)
    {
        if (task != null)
        {
            task.cancel(false);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Answers
    // ---------------------------------------------------------------------------------------------------------------

    private void onFrame(final Channel ch, final ByteBuf frame)
    {
        final int length = frame.readableBytes();
        if (length < MessageHeaderDescriptor.HEADER_LENGTH)
        {
            protocolError(ch, "a frame of " + length + " bytes");
            return;
        }
        frame.getBytes(frame.readerIndex(), scratch.byteArray(), 0, length);
        header.wrap(scratch, 0);
        final int type = header.messageType();
        final long requestId = header.requestId();
        if (!ready)
        {
            if (type == MessageType.HELLO_OK && helloOk.wrap(scratch, 0, length).validate())
            {
                onReady(helloOk.maxInFlight());
            }
            else if (type == MessageType.ERROR && error.wrap(scratch, 0, length).validate())
            {
                explain("the node refused the handshake: " + error.errorCode() + ": " + error.message());
                ch.close();
            }
            else
            {
                protocolError(ch, "expected HELLO_OK, got message type " + type);
            }
            return;
        }
        switch (type)
        {
            case MessageType.ERROR ->
            {
                if (!error.wrap(scratch, 0, length).validate())
                {
                    protocolError(ch, error.violation());
                    return;
                }
                if (requestId == 0)
                {
                    explain("the node closed the connection: " + error.errorCode() + ": " + error.message());
                    return;
                }
                final Call call = answered(requestId);
                if (call != null)
                {
                    fail(call, new StockgridException(error.errorCode(), error.status(), error.retryAfterMs(),
                        error.message()));
                }
            }
            case MessageType.AVAILABILITY ->
            {
                if (!availability.wrap(scratch, 0, length).validate())
                {
                    protocolError(ch, availability.violation());
                    return;
                }
                final Call call = answered(requestId);
                if (call != null)
                {
                    if (call.answer != Call.AVAILABILITY)
                    {
                        protocolError(ch, "AVAILABILITY answered a call that expects RESERVATION");
                        fail(call, new StockgridException(StockgridException.Kind.PROTOCOL, lastFailure, null));
                        return;
                    }
                    complete(call, availability.toAvailability());
                }
            }
            case MessageType.RESERVATION ->
            {
                if (!reservation.wrap(scratch, 0, length).validate())
                {
                    protocolError(ch, reservation.violation());
                    return;
                }
                final Call call = answered(requestId);
                if (call != null)
                {
                    if (call.answer != Call.RESERVATION)
                    {
                        protocolError(ch, "RESERVATION answered a call that expects AVAILABILITY");
                        fail(call, new StockgridException(StockgridException.Kind.PROTOCOL, lastFailure, null));
                        return;
                    }
                    complete(call, toReservation(reservation));
                }
            }
            default -> protocolError(ch, "unexpected message type " + type);
        }
    }

    /** The call the answer is for, taken off the wire; null for a late answer to an abandoned attempt. */
    private Call answered(final long requestId)
    {
        final Call call = onWire.remove(requestId);
        if (call != null)
        {
            call.requestId = 0;
            sendWaiting();
        }
        return call;
    }

    private static Reservation toReservation(final ReservationDecoder d)
    {
        final List<ReservationLine> lines = new ArrayList<>(d.lineCount());
        for (int i = 0; i < d.lineCount(); i++)
        {
            lines.add(new ReservationLine(d.lineSku(i), d.lineLocation(i), d.lineQuantity(i)));
        }
        final List<ShortLine> shortLines = new ArrayList<>(d.shortLineCount());
        for (int i = 0; i < d.shortLineCount(); i++)
        {
            shortLines.add(new ShortLine(d.shortLineSku(i), d.shortLineLocation(i), d.shortLineQuantity(i),
                d.shortLineAvailable(i)));
        }
        return new Reservation(d.reservationId(), d.status(), Instant.ofEpochMilli(d.expiresAtMs()),
            List.copyOf(lines), List.copyOf(shortLines));
    }

    /** Decodes answers and follows the channel's life for the connection. One per channel. */
    private final class AnswerAdapter extends ChannelInboundHandlerAdapter
    {
        /** The TLS handshake failed; its reason, kept in lastFailure, is not replaced by the exception that follows. */
        private boolean handshakeFailed;

        @Override
        public void channelActive(final ChannelHandlerContext ctx)
        {
            onChannelActive(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                onFrame(ctx.channel(), frame);
            }
            finally
            {
                frame.release();
            }
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event)
        {
            if (event instanceof SslHandshakeCompletionEvent done && !done.isSuccess())
            {
                handshakeFailed = true;
                // Say why in the words that help: an untrusted or misnamed node certificate, a missing client one.
                explain("TLS handshake with " + address() + " failed: " + done.cause().getMessage());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            onChannelClosed(ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            if (!handshakeFailed)
            {
                explain(String.valueOf(cause));
            }
            ctx.close();
        }
    }
}
