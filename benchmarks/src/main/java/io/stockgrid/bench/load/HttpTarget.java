package io.stockgrid.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.stockgrid.api.client.ClientTls;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.stockgrid.api.transport.Transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Stockgrid HTTP v1 over Netty: a few keep-alive connections, each with its window of pipelined requests (the node
 * answers them in request order, so a connection matches answers to requests first in, first out). Requests are
 * encoded on the caller's thread and written on the connection's event loop; nothing blocks.
 */
final class HttpTarget implements Target
{
    /** The same transport as the binary target's client (and Lettuce's, which takes epoll when it loads). */
    private static final Transport TRANSPORT = Transport.fromSystemProperty();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String host;
    private final int port;
    private final int connectionCount;
    private final int window;
    private final int backlog;
    private final Workload workload;
    private final EventLoopGroup group;
    private final ConnectionSet<Connection> connections = new ConnectionSet<>();

    /** The {@code Authorization} header value sent with every request, or null (a node without keys). */
    private final String authorization;

    /** The TLS of every connection (https), or null (plain http). */
    private final SslContext tls;

    /**
     * @param apiKey the API key secret sent as a bearer token, or null for none.
     * @param tls    the TLS to speak (https), or null for plain http.
     */
    HttpTarget(final String host, final int port, final int connections, final int window, final int backlog,
        final int ioThreads, final Workload workload, final String apiKey, final ClientTls tls)
    {
        this.tls = tls == null ? null : tls.newContext();
        this.authorization = apiKey == null ? null : "Bearer " + apiKey;
        this.host = host;
        this.port = port;
        this.connectionCount = connections;
        this.window = window;
        this.backlog = backlog;
        this.workload = workload;
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, TRANSPORT.ioHandlerFactory());
    }

    @Override
    public String name()
    {
        return "http";
    }

    @Override
    public String description()
    {
        return "Stockgrid HTTP v1 at " + scheme() + "://" + host + ":" + port;
    }

    @Override
    public void connect() throws IOException
    {
        final Bootstrap bootstrap = new Bootstrap()
            .group(group)
            .channel(TRANSPORT.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    if (tls != null)
                    {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                    }
                    ch.pipeline()
                        // Answers that arrive together are sent on with one flush, not one per request.
                        .addLast(new FlushConsolidationHandler(256, true))
                        .addLast(new HttpClientCodec(4096, 8192, 65_536))
                        .addLast(new HttpObjectAggregator(1 << 20));
                }
            });
        for (int i = 0; i < connectionCount; i++)
        {
            final ChannelFuture connected = bootstrap.connect(host, port).awaitUninterruptibly();
            if (!connected.isSuccess())
            {
                throw new IOException("cannot connect to " + scheme() + "://" + host + ":" + port + ": "
                    + connected.cause().getMessage(), connected.cause());
            }
            final SslHandler ssl = connected.channel().pipeline().get(SslHandler.class);
            if (ssl != null && !ssl.handshakeFuture().awaitUninterruptibly().isSuccess())
            {
                connected.channel().close();
                throw new IOException("TLS handshake with " + host + ":" + port + " failed: "
                    + ssl.handshakeFuture().cause().getMessage(), ssl.handshakeFuture().cause());
            }
            final Connection connection = new Connection(connected.channel());
            connected.channel().pipeline().addLast(connection.handler);
            connections.add(connection);
        }
    }

    private String scheme()
    {
        return tls == null ? "http" : "https";
    }

    @Override
    public void send(final Request request)
    {
        connections.send(request);
    }

    @Override
    public int outstanding()
    {
        return connections.outstanding();
    }

    @Override
    public void close()
    {
        if (connections.close())
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private FullHttpRequest encode(final Request r)
    {
        final String id;
        switch (r.op)
        {
            case RESERVE:
                id = workload.reservationId(r.seq);
                final StringBuilder body = new StringBuilder(96 + 64 * r.keys.length);
                body.append("{\"reservationId\":\"").append(id).append("\",\"ttlSeconds\":")
                    .append(workload.ttlSeconds).append(",\"lines\":[");
                for (int i = 0; i < r.keys.length; i++)
                {
                    body.append(i == 0 ? "{" : ",{").append("\"sku\":\"").append(workload.sku(r.keys[i]))
                        .append("\",\"location\":\"").append(workload.location(r.keys[i]))
                        .append("\",\"quantity\":").append(r.quantity).append('}');
                }
                body.append("]}");
                return request(HttpMethod.POST, "/v1/reservations", body);
            case COMMIT:
                return request(HttpMethod.POST, "/v1/reservations/" + workload.reservationId(r.seq) + "/commit", null);
            case RELEASE:
                return request(HttpMethod.POST, "/v1/reservations/" + workload.reservationId(r.seq) + "/release",
                    null);
            case SET_STOCK:
                return request(HttpMethod.PUT, stockPath("/v1/stock/", (int)r.seq),
                    new StringBuilder(48).append("{\"onHand\":").append(r.quantity).append(",\"safetyStock\":0}"));
            case READ_STOCK:
                return request(HttpMethod.GET, stockPath("/v1/availability/", (int)r.seq), null);
            case READ_RESERVATION:
                return request(HttpMethod.GET, "/v1/reservations/" + workload.reservationId(r.seq), null);
            default:
                throw new IllegalStateException("unexpected op " + r.op);
        }
    }

    private String stockPath(final String prefix, final int key)
    {
        return prefix + workload.sku(key) + "/" + workload.location(key);
    }

    private FullHttpRequest request(final HttpMethod method, final String uri, final CharSequence body)
    {
        final ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER :
            Unpooled.wrappedBuffer(body.toString().getBytes(StandardCharsets.UTF_8));
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        request.headers().set(HttpHeaderNames.HOST, host);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (authorization != null)
        {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        if (body != null)
        {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        return request;
    }

    /** What an answer means for the request it answers; fills in the read results. */
    private static Outcome classify(final Request r, final FullHttpResponse response)
    {
        final int code = response.status().code();
        r.status = code;
        switch (r.op)
        {
            case RESERVE:
                if (code == 201)
                {
                    return Outcome.ACCEPTED;
                }
                return code == 409 && contains(response.content(), "\"REJECTED\"") ? Outcome.REJECTED : Outcome.ERROR;
            case COMMIT:
            case RELEASE:
                if (code == 200)
                {
                    return Outcome.ACCEPTED;
                }
                return code == 409 && contains(response.content(), "RESERVATION_NOT_HELD") ? Outcome.REJECTED :
                    Outcome.ERROR;
            case SET_STOCK:
                return code == 200 ? Outcome.ACCEPTED : Outcome.ERROR;
            case READ_STOCK:
                if (code != 200)
                {
                    return Outcome.ERROR;
                }
                final JsonNode stock = parse(response.content());
                if (stock == null || !stock.path("onHand").isIntegralNumber())
                {
                    return Outcome.ERROR;
                }
                r.onHand = stock.path("onHand").longValue();
                r.reserved = stock.path("reserved").longValue();
                return Outcome.ACCEPTED;
            case READ_RESERVATION:
                if (code == 404)
                {
                    return Outcome.REJECTED;
                }
                final JsonNode reservation = code == 200 ? parse(response.content()) : null;
                if (reservation == null || !reservation.path("status").isTextual())
                {
                    return Outcome.ERROR;
                }
                r.reservationStatus = reservation.path("status").textValue();
                return Outcome.ACCEPTED;
            default:
                return Outcome.ERROR;
        }
    }

    private static boolean contains(final ByteBuf content, final String ascii)
    {
        return content.toString(StandardCharsets.UTF_8).contains(ascii);
    }

    private static JsonNode parse(final ByteBuf content)
    {
        try
        {
            return JSON.readTree(ByteBufUtil.getBytes(content));
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** One keep-alive connection; {@link #awaiting} is touched only on the connection's event loop. */
    private final class Connection extends WindowedConnection
    {
        private final Channel channel;
        private final EventLoop loop;
        private final ArrayDeque<Request> awaiting;
        private final Handler handler = new Handler();
        private boolean broken;

        Connection(final Channel channel)
        {
            super(window, backlog);
            this.channel = channel;
            this.loop = channel.eventLoop();
            this.awaiting = new ArrayDeque<>(window);
        }

        @Override
        void dispatch(final Request request)
        {
            final FullHttpRequest encoded = encode(request);
            if (loop.inEventLoop())
            {
                write(request, encoded);
            }
            else
            {
                loop.execute(() -> write(request, encoded));
            }
        }

        private void write(final Request request, final FullHttpRequest encoded)
        {
            if (broken || !channel.isActive())
            {
                encoded.release();
                request.status = 0;
                answered();
                request.complete(Outcome.ERROR);
                return;
            }
            awaiting.addLast(request);
            channel.writeAndFlush(encoded, channel.voidPromise());
        }

        @Override
        void close()
        {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }

        private void failAll()
        {
            broken = true;
            Request r;
            while ((r = awaiting.pollFirst()) != null)
            {
                r.status = 0;
                answered();
                r.complete(Outcome.ERROR);
            }
        }

        private final class Handler extends SimpleChannelInboundHandler<FullHttpResponse>
        {
            @Override
            protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpResponse response)
            {
                final Request r = awaiting.pollFirst();
                if (r == null)
                {
                    // An answer nobody asked for: the connection is out of step, so stop trusting it.
                    ctx.close();
                    return;
                }
                final Outcome outcome = classify(r, response);
                answered();
                r.complete(outcome);
            }

            @Override
            public void channelInactive(final ChannelHandlerContext ctx)
            {
                failAll();
            }

            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
            {
                failAll();
                ctx.close();
            }
        }
    }
}
