package io.stockgrid.grid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback address for tests that start several members. */
public final class FreePorts
{
    private FreePorts()
    {
    }

    /** {@code count} distinct ports, free when this returns (all are held open together while they are picked). */
    public static int[] loopback(final int count)
    {
        final int[] ports = new int[count];
        final ServerSocket[] sockets = new ServerSocket[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            for (final ServerSocket socket : sockets)
            {
                if (socket != null)
                {
                    try
                    {
                        socket.close();
                    }
                    catch (final IOException ignored)
                    {
                        // closing a listening socket we opened: nothing to do
                    }
                }
            }
        }
    }
}
