package io.stockgrid.api.client;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.stockgrid.api.transport.Transport;

import java.util.concurrent.TimeUnit;

/**
 * I/O threads that several {@link StockgridClient}s share. A client built without it starts one thread of its own,
 * which is right for the usual one client per application; an application (or a load generator) that needs several
 * connections, say one per node or per shard, should share a few threads between them rather than start one per
 * connection: each thread wakes for its own connection's answers, and on a small machine many threads cost more in
 * context switches than the calls themselves.
 * <p>
 * Each client is pinned to one of the threads (round robin), so its calls stay confined to one thread as before.
 * Close the clients first, then this: closing it stops the threads.
 */
public final class ClientEventLoops implements AutoCloseable
{
    private final EventLoopGroup group;
    private final Transport transport;

    private ClientEventLoops(final int threads, final Transport transport)
    {
        this.transport = transport.resolve();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("stockgrid-client", true),
            this.transport.ioHandlerFactory());
    }

    /**
     * Starts {@code threads} I/O threads on the transport the {@value Transport#PROPERTY} system property names
     * (auto: native epoll where it loads, else NIO).
     *
     * @throws IllegalArgumentException if threads is not in 1..256.
     */
    public static ClientEventLoops create(final int threads)
    {
        return create(threads, Transport.fromSystemProperty());
    }

    /** As {@link #create(int)}, on the given transport. */
    public static ClientEventLoops create(final int threads, final Transport transport)
    {
        if (threads < 1 || threads > 256)
        {
            throw new IllegalArgumentException("threads must be in 1..256: " + threads);
        }
        return new ClientEventLoops(threads, transport);
    }

    /** A client's own single thread: closed with the client. */
    static ClientEventLoops single(final Transport transport)
    {
        return new ClientEventLoops(1, transport);
    }

    Transport transport()
    {
        return transport;
    }

    EventLoop next()
    {
        return group.next();
    }

    /** Stops the threads; clients still open on them fail their calls with kind CLOSED. */
    @Override
    public void close()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Stops the threads without waiting (from one of them). */
    void closeLater()
    {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
