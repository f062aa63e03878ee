package io.stockgrid.ingest.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.stockgrid.api.Limits;
import io.stockgrid.api.OpenApi;
import io.stockgrid.api.transport.Transport;
import io.stockgrid.ingest.AdminView;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.auth.AccessControl;
import io.stockgrid.ingest.tls.ServerTls;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The HTTP/1.1 front door (JSON API v1, health, metrics, admin), on Netty. */
public final class HttpServer implements AutoCloseable
{
    private static final int MAX_INITIAL_LINE_BYTES = 4096;
    private static final int MAX_HEADER_BYTES = 8192;
    private static final int IDLE_SECONDS = 120;

    private final EventLoopGroup group;
    private final Channel channel;
    /**
     * Every accepted connection, closed by close() itself (see BinaryServer: shutting the event loops down can miss
     * one).
     */
    private final ChannelGroup connections = new DefaultChannelGroup("stockgrid-http", GlobalEventExecutor.INSTANCE);

    /** @param admin answers the {@code /admin} routes: the cluster view and the drain of this node. */
    public HttpServer(final String bindAddress, final int port, final int ioThreads, final Transport transport,
        final CommandPipeline pipeline, final IngestMetrics metrics, final AdminView admin) throws InterruptedException
    {
        this(bindAddress, port, ioThreads, transport, pipeline, metrics, admin, AccessControl.open(), true, null);
    }

    /**
     * @param access        who may call which route, and how often (open: no keys).
     * @param publicMetrics true if /metrics and /v1/openapi.yaml answer without a key while keys are checked.
     * @param tls           the TLS every connection speaks (HTTPS), or null for plain HTTP.
     */
    public HttpServer(final String bindAddress, final int port, final int ioThreads, final Transport transport,
        final CommandPipeline pipeline, final IngestMetrics metrics, final AdminView admin, final AccessControl access,
        final boolean publicMetrics, final ServerTls tls) throws InterruptedException
    {
        final byte[] openApi = OpenApi.yamlBytes();
        group = new MultiThreadIoEventLoopGroup(ioThreads, transport.ioHandlerFactory());
        try
        {
            channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        connections.add(ch);
                        if (tls != null)
                        {
                            // The context in force when the connection is accepted: a reload serves the next ones.
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                            .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS))
                            .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
                            .addLast(new BoundedAggregator())
                            // The decoder emits every request in a read at once, whatever autoRead says; this holds
                            // them while HttpApiHandler has stopped reading (FIFO full, or an unsafe request pending).
                            .addLast(new FlowControlHandler())
                            .addLast(new HttpApiHandler(pipeline, metrics, admin, openApi, access, publicMetrics));
                    }
                })
                .bind(new InetSocketAddress(bindAddress, port)).sync().channel();
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw ex;
        }
    }

    /** The port actually bound (useful when asked for port 0). */
    public int port()
    {
        return ((InetSocketAddress)channel.localAddress()).getPort();
    }

    /** Stops accepting connections, closes the open ones, then stops the event loops. */
    @Override
    public void close()
    {
        channel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /**
     * Aggregates bodies up to 64 KiB. A larger one is not answered here but passed on as a request that failed with
     * {@link TooLongHttpContentException}, so that HttpApiHandler answers it 413 in request order (after the answers
     * of requests pipelined before it) and then closes the connection; the rest of the body is discarded.
     */
    private static final class BoundedAggregator extends HttpObjectAggregator
    {
        BoundedAggregator()
        {
            super(Limits.BODY_BYTES_MAX);
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized)
            throws Exception
        {
            if (oversized instanceof HttpRequest request)
            {
                final FullHttpRequest tooLarge = new DefaultFullHttpRequest(request.protocolVersion(),
                    request.method(), request.uri(), Unpooled.EMPTY_BUFFER);
                tooLarge.setDecoderResult(DecoderResult.failure(
                    new TooLongHttpContentException("request body exceeds " + Limits.BODY_BYTES_MAX + " bytes")));
                HttpUtil.setKeepAlive(tooLarge, false);
                ctx.fireChannelRead(tooLarge);
            }
            else
            {
                super.handleOversizedMessage(ctx, oversized);
            }
        }
    }
}
