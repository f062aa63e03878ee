package io.stockgrid.ingest.binary;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.HelloOkDescriptor;
import io.stockgrid.api.transport.Transport;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.auth.AccessControl;
import io.stockgrid.ingest.tls.ServerTls;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The binary front door (protocol v1, docs/protocol.md), on Netty: every connection gets a
 * {@link BinarySessionAdapter}, which calls the same {@link CommandPipeline} as the HTTP door, so the two doors
 * share admission, journal, idempotency and answers.
 */
public final class BinaryServer implements AutoCloseable
{
    /** Requests worked on at once per connection unless configured otherwise. */
    public static final int MAX_IN_FLIGHT_PER_CONNECTION_DEFAULT = 256;
    private static final int WRITE_BUFFER_LOW_BYTES = 256 * 1024;
    private static final int WRITE_BUFFER_HIGH_BYTES = 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;
    /**
     * Every accepted connection, so that close() closes each one itself: shutting the event loops down was seen to
     * leave an accepted socket open and unread (a restarted node's clients then waited on it for answers).
     */
    private final ChannelGroup connections = new DefaultChannelGroup("stockgrid-binary", GlobalEventExecutor.INSTANCE);

    /**
     * @param maxFrameBytes             the largest message accepted (header and body), see {@link FrameDescriptor}.
     * @param maxInFlightPerConnection  requests worked on at once per connection; beyond it the connection stops
     *                                  being read until answers drain.
     */
    public BinaryServer(final String bindAddress, final int port, final int ioThreads, final Transport transport,
        final CommandPipeline pipeline, final IngestMetrics metrics, final int maxFrameBytes, final int maxInFlightPerConnection)
        throws InterruptedException
    {
        this(bindAddress, port, ioThreads, transport, pipeline, metrics, maxFrameBytes, maxInFlightPerConnection,
            AccessControl.open(), null);
    }

    /**
     * @param access who may call which message, and how often (open: no keys, HELLO's secret is ignored).
     * @param tls    the TLS every connection speaks before its first frame, or null for plain TCP.
     */
    public BinaryServer(final String bindAddress, final int port, final int ioThreads, final Transport transport,
        final CommandPipeline pipeline, final IngestMetrics metrics, final int maxFrameBytes,
        final int maxInFlightPerConnection, final AccessControl access, final ServerTls tls)
        throws InterruptedException
    {
        if (maxFrameBytes < FrameDescriptor.MAX_FRAME_BYTES_MIN || maxFrameBytes > FrameDescriptor.MAX_FRAME_BYTES_MAX)
        {
            throw new IllegalArgumentException("maxFrameBytes must be in " + FrameDescriptor.MAX_FRAME_BYTES_MIN + ".."
                + FrameDescriptor.MAX_FRAME_BYTES_MAX + ": " + maxFrameBytes);
        }
        if (maxInFlightPerConnection < 1 || maxInFlightPerConnection > HelloOkDescriptor.MAX_IN_FLIGHT_MAX)
        {
            throw new IllegalArgumentException("maxInFlightPerConnection must be in 1.."
                + HelloOkDescriptor.MAX_IN_FLIGHT_MAX + ": " + maxInFlightPerConnection);
        }
        metrics.registerBinaryConnections(connections::size);
        group = new MultiThreadIoEventLoopGroup(ioThreads, transport.ioHandlerFactory());
        try
        {
            channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // A client that half-closes (EOF) still gets the answers to the requests it sent before: the session
                // closes the connection itself once they are written (BinarySessionAdapter#closeIfDrained).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                    new WriteBufferWaterMark(WRITE_BUFFER_LOW_BYTES, WRITE_BUFFER_HIGH_BYTES))
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
                            .addLast(new BinarySessionAdapter(pipeline, metrics, maxFrameBytes,
                                maxInFlightPerConnection, access));
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
}
