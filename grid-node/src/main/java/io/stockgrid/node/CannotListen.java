package io.stockgrid.node;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A port this node must listen on cannot be bound. Its message is the one line an operator needs, naming the
 * address, the setting that chose the port, and why ({@code cannot listen on 127.0.0.1:8080 (--http-port): address
 * already in use}); {@link StockgridNodeMain} prints it and exits non-zero instead of leaving a half-started process.
 */
public final class CannotListen extends Exception
{
    private static final long serialVersionUID = 1L;

    CannotListen(final String bindAddress, final int port, final Setting setting, final Throwable cause)
    {
        super("cannot listen on " + bindAddress + ":" + port + " (" + setting.flag() + "): " + reason(cause), cause);
    }

    /**
     * Binds and releases {@code port} at once, so that a taken port is found before the node joins a cluster or
     * replays its journal (the real bind later still reports a port taken in between). Port 0 is always free.
     */
    static void requireFree(final String bindAddress, final int port, final Setting setting) throws CannotListen
    {
        if (port == 0)
        {
            return;
        }
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(bindAddress, port));
        }
        catch (final IOException ex)
        {
            throw new CannotListen(bindAddress, port, setting, ex);
        }
    }

    /**
     * Runs the bind of a door and turns its failure (Netty's NIO transport throws {@link BindException}, its epoll
     * transport an {@code IOException} saying "Address already in use") into a CannotListen naming the setting.
     */
    static <T> T bind(final String bindAddress, final int port, final Setting setting, final Binder<T> binder)
        throws CannotListen, InterruptedException
    {
        try
        {
            return binder.bind();
        }
        catch (final InterruptedException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            if (isBindFailure(ex))
            {
                throw new CannotListen(bindAddress, port, setting, ex);
            }
            throw ex instanceof RuntimeException re ? re : new IllegalStateException(ex);
        }
    }

    /** True if the failure, or one of its causes, is a socket that could not be bound. */
    static boolean isBindFailure(final Throwable failure)
    {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++)
        {
            if (t instanceof BindException)
            {
                return true;
            }
            final String message = t.getMessage();
            if (t instanceof IOException && message != null && (message.contains("already in use")
                || message.contains("bind(")))
            {
                return true;
            }
        }
        return false;
    }

    /** What the operating system said, in a few words: the common case named plainly, else its own message. */
    private static String reason(final Throwable cause)
    {
        int depth = 0;
        for (Throwable t = cause; t != null && depth < 16; t = t.getCause(), depth++)
        {
            final String message = t.getMessage();
            if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("already in use"))
            {
                return "address already in use";
            }
        }
        final String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message.toLowerCase(java.util.Locale.ROOT);
    }

    /** A door's constructor, which binds its port. */
    @FunctionalInterface
    interface Binder<T>
    {
        T bind() throws Exception;
    }
}
