package io.stockgrid.api.transport;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.Locale;

/**
 * The Netty transport the doors and the client run on. {@link #EPOLL} is Netty's native Linux transport: it makes
 * fewer system calls per message than the JDK selector (edge-triggered epoll, an eventfd to wake the loop, no
 * selected-key sets), which is most of what a small request costs on loopback. {@link #NIO} runs anywhere.
 * {@link #AUTO} picks epoll where its native library loads (Linux x86_64 and aarch64)
 * and NIO elsewhere.
 */
public enum Transport
{
    AUTO, EPOLL, NIO;

    /** The system property that chooses the client's transport (the node's is its {@code --transport} setting). */
    public static final String PROPERTY = "stockgrid.transport";

    /** {@link #AUTO} resolved: epoll where available, else NIO. Any other value is returned as it is. */
    public Transport resolve()
    {
        if (this != AUTO)
        {
            return this;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * Parses {@code auto}, {@code epoll} or {@code nio} (any case).
     *
     * @throws IllegalArgumentException naming the accepted values.
     */
    public static Transport parse(final String value)
    {
        try
        {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("transport must be auto, epoll or nio: " + value, ex);
        }
    }

    /** The transport named by the {@value #PROPERTY} system property, {@link #AUTO} when it is not set. */
    public static Transport fromSystemProperty()
    {
        final String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? AUTO : parse(value);
    }

    /**
     * @throws IllegalStateException for {@link #EPOLL} where the native library does not load, with the reason.
     */
    public IoHandlerFactory ioHandlerFactory()
    {
        return switch (checked())
        {
            case EPOLL -> EpollIoHandler.newFactory();
            default -> NioIoHandler.newFactory();
        };
    }

    public Class<? extends ServerChannel> serverChannel()
    {
        return checked() == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel()
    {
        return checked() == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private Transport checked()
    {
        final Transport resolved = resolve();
        if (resolved == EPOLL && !Epoll.isAvailable())
        {
            throw new IllegalStateException("the epoll transport is not available here: "
                + Epoll.unavailabilityCause());
        }
        return resolved;
    }
}
