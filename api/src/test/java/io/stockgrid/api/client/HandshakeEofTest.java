package io.stockgrid.api.client;

import io.stockgrid.api.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node that accepts a connection and ends it before HELLO_OK (closes it, or only shuts its output) fails
 * {@code build()} at once with a message saying so, instead of the client waiting out its connect timeout. The
 * connect timeout here is far longer than this test's own timeout, so waiting it out fails the test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeEofTest
{
    /** Accepts connections on a thread of its own and ends each at once, the way the test asks. */
    private static final class EndingServer implements AutoCloseable
    {
        private final ServerSocket server;
        private final Thread thread;
        private final List<Socket> kept = new ArrayList<>();

        EndingServer(final boolean closeWholly) throws IOException
        {
            server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            thread = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try
                    {
                        final Socket socket = server.accept();
                        if (closeWholly)
                        {
                            socket.close();
                        }
                        else
                        {
                            socket.shutdownOutput();
                            synchronized (kept)
                            {
                                kept.add(socket);
                            }
                        }
                    }
                    catch (final IOException closed)
                    {
                        return;
                    }
                }
            }, "ending-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception
        {
            server.close();
            thread.join(5_000);
            synchronized (kept)
            {
                for (final Socket socket : kept)
                {
                    socket.close();
                }
            }
        }
    }

    private static void assertFailsFast(final boolean closeWholly, final Transport transport) throws Exception
    {
        try (EndingServer server = new EndingServer(closeWholly))
        {
            assertThatThrownBy(() -> StockgridClient.builder().address("127.0.0.1", server.port())
                .transport(transport).connectTimeout(Duration.ofMinutes(10)).build())
                .isInstanceOf(StockgridException.class)
                .hasMessageContaining("could not connect to 127.0.0.1:" + server.port())
                .hasMessageContaining("the node closed the connection before HELLO_OK")
                .satisfies(ex -> assertThat(((StockgridException)ex).kind())
                    .isEqualTo(StockgridException.Kind.CONNECTION));
        }
    }

    @Test
    void shouldFailTheBuildAtOnceWhenTheNodeClosesBeforeHelloOk() throws Exception
    {
        assertFailsFast(true, Transport.NIO);
        assertFailsFast(true, Transport.AUTO);
    }

    @Test
    void shouldFailTheBuildAtOnceWhenTheNodeOnlyShutsItsOutputBeforeHelloOk() throws Exception
    {
        assertFailsFast(false, Transport.NIO);
        assertFailsFast(false, Transport.AUTO);
    }
}
