package io.stockgrid.api.client;

import io.stockgrid.api.Availability;
import io.stockgrid.api.Limits;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.binary.AdjustDecoder;
import io.stockgrid.api.binary.AdjustEncoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.GetAvailabilityDecoder;
import io.stockgrid.api.binary.GetAvailabilityEncoder;
import io.stockgrid.api.binary.MessageDecoder;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationIdDecoder;
import io.stockgrid.api.binary.ReservationIdEncoder;
import io.stockgrid.api.binary.ReserveDecoder;
import io.stockgrid.api.binary.ReserveEncoder;
import io.stockgrid.api.binary.ReturnDecoder;
import io.stockgrid.api.binary.ReturnEncoder;
import io.stockgrid.api.binary.SetStockDecoder;
import io.stockgrid.api.binary.SetStockDescriptor;
import io.stockgrid.api.binary.SetStockEncoder;
import io.stockgrid.api.transport.Transport;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The Java client of the binary protocol v1 (docs/protocol.md). Thread-safe; make one per application and share it.
 * <p>
 * Every operation has an asynchronous form ({@code ...Async}, a {@link CompletableFuture}) and a blocking one. Both
 * validate their arguments before anything is sent, with the node's own rules and words
 * ({@link IllegalArgumentException}). A node's error answer fails the call with a {@link StockgridException} of kind
 * {@code ERROR_ANSWER} carrying the same error code the HTTP door would answer; a REJECTED reservation is not an
 * error but a {@link Reservation} with status REJECTED and its short lines.
 * <p>
 * <b>In-flight window.</b> At most {@code maxInFlight} calls are outstanding at once. Beyond it a call <em>fails
 * fast</em> with a {@link StockgridException} of kind {@code WINDOW_FULL} and nothing is sent: back-pressure is
 * returned to the caller, and no caller thread (possibly an event loop of its own) is ever parked by the client.
 * <p>
 * <b>Timeouts and retries.</b> Each attempt has {@code requestTimeout}. An attempt that times out, or whose
 * connection is lost, is made again with the same bytes (so the same reservationId, eventId or returnId: the node
 * answers a repeat as it answered the first) up to {@code maxRetries} times, after which the call fails with kind
 * {@code TIMEOUT} or {@code CONNECTION}. SET_STOCK is not retried: an absolute snapshot sent again late could
 * overwrite a newer one. So a call completes within {@code (maxRetries + 1) * requestTimeout}.
 * <p>
 * <b>Connection.</b> The builder connects and completes the HELLO handshake before returning. A lost connection is
 * re-established in the background (back-off from 50 ms to 2 s); calls made meanwhile wait for it within their
 * timeouts. Futures complete on the client's I/O thread: do not block in their callbacks (use the {@code ...Async}
 * variants of {@code CompletableFuture} for heavy work); blocking calls must not be made from that thread.
 * <p>
 * <b>Routing.</b> Today the client talks to the one node it was built for. {@link #route(String)} is where a
 * cluster-aware client will pick the connection to the member that owns a key.
 * <p>
 * Like the node, the client uses Agrona, which on Java 17 needs
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
public final class StockgridClient implements AutoCloseable
{
    private static final int FRAME_BYTES_MAX =
        FrameDescriptor.LENGTH_FIELD_LENGTH + FrameDescriptor.MAX_FRAME_BYTES_MIN;
    private static final ThreadLocal<Codecs> CODECS = ThreadLocal.withInitial(Codecs::new);

    private final ClientConnection connection;

    private StockgridClient(final Builder builder)
    {
        connection = new ClientConnection(builder.host, builder.port, builder.connectTimeout.toMillis(),
            builder.requestTimeout.toMillis(), builder.maxRetries, builder.maxInFlight, builder.maxFrameBytes,
            builder.transport, builder.eventLoops, builder.apiKey, builder.sslContext);
        try
        {
            connection.start();
        }
        catch (final RuntimeException ex)
        {
            connection.close();
            throw ex;
        }
    }

    public static Builder builder()
    {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stock
    // ---------------------------------------------------------------------------------------------------------------

    /** Sets the absolute on-hand (and safety stock) of a (sku, location); answers its availability. Not retried. */
    public CompletableFuture<Availability> setStockAsync(final String sku, final String location, final long onHand,
        final long safetyStock)
    {
        final Codecs c = CODECS.get();
        final int length = c.setStock.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH).onHand(onHand)
            .safetyStock(safetyStock).sku(sku).location(location).encodedLength();
        return submit(route(sku), c.frame(c.setStockDecoder.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH,
            length), length), Call.AVAILABILITY, false);
    }

    /** Sets the absolute on-hand of a (sku, location), keeping its safety stock. Not retried. */
    public CompletableFuture<Availability> setStockAsync(final String sku, final String location, final long onHand)
    {
        return setStockAsync(sku, location, onHand, SetStockDescriptor.KEEP_SAFETY_STOCK);
    }

    public Availability setStock(final String sku, final String location, final long onHand, final long safetyStock)
    {
        return await(setStockAsync(sku, location, onHand, safetyStock));
    }

    public Availability setStock(final String sku, final String location, final long onHand)
    {
        return await(setStockAsync(sku, location, onHand));
    }

    /** Applies a delta once per eventId; answers the availability after it (a repeat changes nothing). */
    public CompletableFuture<Availability> adjustAsync(final String sku, final String location, final String eventId,
        final long delta, final String reason)
    {
        final Codecs c = CODECS.get();
        final int length = c.adjust.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH).delta(delta).sku(sku)
            .location(location).eventId(eventId).reason(reason).encodedLength();
        return submit(route(sku), c.frame(c.adjustDecoder.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH,
            length), length), Call.AVAILABILITY, true);
    }

    public Availability adjust(final String sku, final String location, final String eventId, final long delta,
        final String reason)
    {
        return await(adjustAsync(sku, location, eventId, delta, reason));
    }

    /** Records a customer return once per returnId; RESTOCK adds to onHand. Answers the availability after it. */
    public CompletableFuture<Availability> acceptReturnAsync(final String returnId, final String sku,
        final String location, final long quantity, final ReturnDisposition disposition)
    {
        final Codecs c = CODECS.get();
        final int length = c.returnOf.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH).quantity(quantity)
            .disposition(disposition).returnId(returnId).sku(sku).location(location).encodedLength();
        return submit(route(sku), c.frame(c.returnDecoder.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH,
            length), length), Call.AVAILABILITY, true);
    }

    public Availability acceptReturn(final String returnId, final String sku, final String location,
        final long quantity, final ReturnDisposition disposition)
    {
        return await(acceptReturnAsync(returnId, sku, location, quantity, disposition));
    }

    /** The availability of one (sku, location); an unknown pair is all zeros. */
    public CompletableFuture<Availability> availabilityAsync(final String sku, final String location)
    {
        final Codecs c = CODECS.get();
        final int length = c.getAvailability.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH).sku(sku)
            .location(location).encodedLength();
        return submit(route(sku), c.frame(c.getAvailabilityDecoder.wrap(c.buffer,
            FrameDescriptor.LENGTH_FIELD_LENGTH, length), length), Call.AVAILABILITY, true);
    }

    public Availability availability(final String sku, final String location)
    {
        return await(availabilityAsync(sku, location));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reservations
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Holds every line or none. Answers the reservation as first answered: HELD, or REJECTED with the short lines. The
     * reservationId is the idempotency key: the same id with the same lines and ttl answers the first answer again
     * (so retries are safe); with a different body it fails with IDEMPOTENCY_KEY_REUSED.
     *
     * @param correlationId optional (null), printable ASCII; not part of the idempotency fingerprint.
     */
    public CompletableFuture<Reservation> reserveAsync(final String reservationId, final List<ReservationLine> lines,
        final int ttlSeconds, final String correlationId)
    {
        if (lines == null || lines.size() > Limits.LINES_MAX)
        {
            throw new IllegalArgumentException("field 'lines' must have " + Limits.LINES_MIN + ".." + Limits.LINES_MAX
                + " entries, has " + (lines == null ? 0 : lines.size()));
        }
        final Codecs c = CODECS.get();
        final ReserveEncoder encoder = c.reserve.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH)
            .ttlSeconds(ttlSeconds).reservationId(reservationId).correlationId(correlationId);
        for (int i = 0; i < lines.size(); i++)
        {
            final ReservationLine line = lines.get(i);
            if (line == null)
            {
                throw new IllegalArgumentException("field 'lines[" + i + "]' must be an object");
            }
            encoder.line(line.quantity(), line.sku(), line.location());
        }
        final int length = encoder.encodedLength();
        return submit(route(reservationId), c.frame(c.reserveDecoder.wrap(c.buffer,
            FrameDescriptor.LENGTH_FIELD_LENGTH, length), length), Call.RESERVATION, true);
    }

    /** As {@link #reserveAsync(String, List, int, String)} with the default ttl (900 s) and no correlation id. */
    public CompletableFuture<Reservation> reserveAsync(final String reservationId, final List<ReservationLine> lines)
    {
        return reserveAsync(reservationId, lines, Limits.TTL_SECONDS_DEFAULT, null);
    }

    public Reservation reserve(final String reservationId, final List<ReservationLine> lines, final int ttlSeconds,
        final String correlationId)
    {
        return await(reserveAsync(reservationId, lines, ttlSeconds, correlationId));
    }

    public Reservation reserve(final String reservationId, final List<ReservationLine> lines)
    {
        return await(reserveAsync(reservationId, lines));
    }

    /**
     * Commits a HELD reservation: its units leave reserved and onHand. A repeat answers the same again. Fails with
     * RESERVATION_NOT_HELD (and the status) if it was released, expired or rejected; RESERVATION_NOT_FOUND if unknown.
     */
    public CompletableFuture<Reservation> commitAsync(final String reservationId)
    {
        return reservationCall(MessageType.COMMIT, reservationId);
    }

    public Reservation commit(final String reservationId)
    {
        return await(commitAsync(reservationId));
    }

    /** Releases a HELD reservation: its units go back to available. A repeat answers the same again. */
    public CompletableFuture<Reservation> releaseAsync(final String reservationId)
    {
        return reservationCall(MessageType.RELEASE, reservationId);
    }

    public Reservation release(final String reservationId)
    {
        return await(releaseAsync(reservationId));
    }

    /** The reservation as it is now; fails with RESERVATION_NOT_FOUND if it is unknown. */
    public CompletableFuture<Reservation> reservationAsync(final String reservationId)
    {
        return reservationCall(MessageType.GET_RESERVATION, reservationId);
    }

    public Reservation reservation(final String reservationId)
    {
        return await(reservationAsync(reservationId));
    }

    /** Fails every outstanding call with kind CLOSED and closes the connection. */
    @Override
    public void close()
    {
        connection.close();
    }

    private CompletableFuture<Reservation> reservationCall(final int type, final String reservationId)
    {
        final Codecs c = CODECS.get();
        final int length = c.reservationId.wrap(c.buffer, FrameDescriptor.LENGTH_FIELD_LENGTH, type)
            .reservationId(reservationId).encodedLength();
        return submit(route(reservationId), c.frame(c.reservationIdDecoder.wrap(c.buffer,
            FrameDescriptor.LENGTH_FIELD_LENGTH, length), length), Call.RESERVATION, true);
    }

    /**
     * The connection for a request about this key (a sku, or a reservationId). The seam for the cluster: route to the
     * member that owns the key's partition. One node today.
     */
    private ClientConnection route(final String key)
    {
        return connection;
    }

    @SuppressWarnings("unchecked")
    private static <T> CompletableFuture<T> submit(final ClientConnection connection, final byte[] frame,
        final int answer, final boolean retryable)
    {
        if (connection.isClosing())
        {
            return CompletableFuture.failedFuture(new StockgridException(StockgridException.Kind.CLOSED,
                "the client is closed", null));
        }
        if (!connection.tryAcquire())
        {
            return CompletableFuture.failedFuture(new StockgridException(StockgridException.Kind.WINDOW_FULL,
                "the in-flight window of " + connection.maxInFlight() + " calls is full; nothing was sent", null));
        }
        final Call call = new Call(frame, answer, retryable);
        connection.submit(call);
        return (CompletableFuture<T>)(CompletableFuture<?>)call.future;
    }

    private <T> T await(final CompletableFuture<T> future)
    {
        if (connection.inEventLoop())
        {
            throw new IllegalStateException("a blocking call on the client's I/O thread would never complete");
        }
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new StockgridException(StockgridException.Kind.INTERRUPTED, "interrupted while waiting", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException r)
            {
                throw r;
            }
            throw new StockgridException(StockgridException.Kind.PROTOCOL, String.valueOf(cause), cause);
        }
    }

    /** Each calling thread encodes and checks its requests with its own flyweights and buffer. */
    private static final class Codecs
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FRAME_BYTES_MAX]);
        final SetStockEncoder setStock = new SetStockEncoder();
        final SetStockDecoder setStockDecoder = new SetStockDecoder();
        final AdjustEncoder adjust = new AdjustEncoder();
        final AdjustDecoder adjustDecoder = new AdjustDecoder();
        final ReturnEncoder returnOf = new ReturnEncoder();
        final ReturnDecoder returnDecoder = new ReturnDecoder();
        final GetAvailabilityEncoder getAvailability = new GetAvailabilityEncoder();
        final GetAvailabilityDecoder getAvailabilityDecoder = new GetAvailabilityDecoder();
        final ReserveEncoder reserve = new ReserveEncoder();
        final ReserveDecoder reserveDecoder = new ReserveDecoder();
        final ReservationIdEncoder reservationId = new ReservationIdEncoder();
        final ReservationIdDecoder reservationIdDecoder = new ReservationIdDecoder();

        /**
         * Checks the encoded request exactly as the node will, and copies it out as a frame. The node would refuse
         * what this refuses, with the same words.
         */
        byte[] frame(final MessageDecoder check, final int length)
        {
            if (!check.validate())
            {
                throw new IllegalArgumentException(check.violation());
            }
            FrameDescriptor.messageLength(buffer, 0, length);
            final byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH + length];
            buffer.getBytes(0, frame);
            return frame;
        }
    }

    /** Settings of a client, all checked once in {@link #build()}. */
    public static final class Builder
    {
        private String host = "127.0.0.1";
        private int port = 7070;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private int maxInFlight = 256;
        private int maxRetries = 2;
        private int maxFrameBytes = FrameDescriptor.MAX_FRAME_BYTES_DEFAULT;
        private Transport transport;
        private ClientEventLoops eventLoops;
        private String apiKey;
        private ClientTls tls;
        private io.netty.handler.ssl.SslContext sslContext;

        private Builder()
        {
        }

        /** The node's address; default 127.0.0.1:7070. */
        public Builder address(final String host, final int port)
        {
            this.host = host;
            this.port = port;
            return this;
        }

        /** How long a TCP connect plus the HELLO handshake may take; default 5 s. */
        public Builder connectTimeout(final Duration connectTimeout)
        {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** How long one attempt of a call may wait for its answer; default 5 s. */
        public Builder requestTimeout(final Duration requestTimeout)
        {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** Calls outstanding at once; beyond it calls fail fast with WINDOW_FULL. 1..65536, default 256. */
        public Builder maxInFlight(final int maxInFlight)
        {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** Attempts after the first for a call whose outcome is unknown (idempotent calls only); 0..10, default 2. */
        public Builder maxRetries(final int maxRetries)
        {
            this.maxRetries = maxRetries;
            return this;
        }

        /** The largest answer accepted; default 65536. */
        public Builder maxFrameBytes(final int maxFrameBytes)
        {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        /**
         * The Netty transport: {@code AUTO} (the default: native epoll on Linux x86_64 or aarch64, else NIO),
         * {@code EPOLL} or {@code NIO}. Without this call, the {@value Transport#PROPERTY} system property chooses,
         * if set. Not used with {@link #eventLoops(ClientEventLoops)}, whose transport is used.
         */
        public Builder transport(final Transport transport)
        {
            this.transport = transport;
            return this;
        }

        /**
         * Runs the client on shared I/O threads instead of a thread of its own (their transport is used; see
         * {@link ClientEventLoops}). Closing the client leaves them running.
         */
        public Builder eventLoops(final ClientEventLoops eventLoops)
        {
            this.eventLoops = eventLoops;
            return this;
        }

        /**
         * The API key secret to authenticate with (sent in HELLO, protocol v2); null (the default) sends none, which
         * a node that checks keys refuses (UNAUTHENTICATED) and a node without keys accepts.
         */
        public Builder apiKey(final String secret)
        {
            this.apiKey = secret;
            return this;
        }

        /**
         * Speaks TLS to a node started with {@code --tls-cert} (null, the default: plain TCP). The node's
         * certificate is verified against the CAs {@code tls} trusts, and must name the host given to
         * {@link #address}.
         */
        public Builder tls(final ClientTls tls)
        {
            this.tls = tls;
            return this;
        }

        /**
         * Checks every setting, connects, and completes the handshake.
         *
         * @throws IllegalArgumentException naming the first invalid setting and its value.
         * @throws StockgridException       of kind CONNECTION if the node cannot be reached within the connect timeout.
         */
        public StockgridClient build()
        {
            if (host == null || host.isBlank())
            {
                throw new IllegalArgumentException("address host must not be blank: '" + host + "'");
            }
            check(port >= 1 && port <= 65_535, "address port must be in 1..65535", port);
            checkDuration(connectTimeout, "connectTimeout");
            checkDuration(requestTimeout, "requestTimeout");
            check(maxInFlight >= 1 && maxInFlight <= 65_536, "maxInFlight must be in 1..65536", maxInFlight);
            check(maxRetries >= 0 && maxRetries <= 10, "maxRetries must be in 0..10", maxRetries);
            check(maxFrameBytes >= FrameDescriptor.MAX_FRAME_BYTES_MIN &&
                maxFrameBytes <= FrameDescriptor.MAX_FRAME_BYTES_MAX, "maxFrameBytes must be in " +
                FrameDescriptor.MAX_FRAME_BYTES_MIN + ".." + FrameDescriptor.MAX_FRAME_BYTES_MAX, maxFrameBytes);
            if (apiKey != null)
            {
                // The secret itself never goes into the message: it would end up in logs.
                check(!apiKey.isEmpty() && apiKey.length() <= Limits.SECRET_CHARS_MAX
                    && apiKey.chars().allMatch(Limits::isCorrelationIdChar),
                    "apiKey must be 1.." + Limits.SECRET_CHARS_MAX + " chars of printable ASCII without spaces",
                    "(" + apiKey.length() + " chars, not shown)");
            }
            if (transport == null)
            {
                transport = Transport.fromSystemProperty();
            }
            sslContext = tls == null ? null : tls.newContext();
            return new StockgridClient(this);
        }

        private static void check(final boolean ok, final String rule, final Object value)
        {
            if (!ok)
            {
                throw new IllegalArgumentException(rule + ": " + value);
            }
        }

        private static void checkDuration(final Duration duration, final String name)
        {
            check(duration != null && duration.toMillis() >= 1 && duration.toMillis() <= 3_600_000L,
                name + " must be 1 ms..1 h", duration);
        }
    }
}
