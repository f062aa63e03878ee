package io.stockgrid.node;

import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.MessageHeaderDescriptor;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a client and a node's binary door that understands frames, so a test can lose an
 * answer, or the connection, at a chosen moment: what a real network does to a client, on demand.
 */
final class FrameProxy implements AutoCloseable
{
    private final int upstreamPort;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger answersToDrop = new AtomicInteger();
    private volatile int dropAnswerType = -1;
    private final AtomicInteger killAfterRequestsOfType = new AtomicInteger(-1);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger answersDropped = new AtomicInteger();
    private volatile boolean closed;

    FrameProxy(final int upstreamPort) throws IOException
    {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "frame-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return server.getLocalPort();
    }

    int connectionsAccepted()
    {
        return accepted.get();
    }

    int answersDropped()
    {
        return answersDropped.get();
    }

    /** The next {@code count} answers of this message type from the node are dropped (never reach the client). */
    void dropAnswers(final int messageType, final int count)
    {
        dropAnswerType = messageType;
        answersToDrop.set(count);
    }

    /** After forwarding the next request of this type to the node, cut the client's connection (once). */
    void killConnectionAfterRequest(final int messageType)
    {
        killAfterRequestsOfType.set(messageType);
    }

    /** Cuts every connection now, as a node restart or a network failure would. */
    void killConnections()
    {
        for (final Socket socket : sockets)
        {
            closeQuietly(socket);
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket client = server.accept();
                final Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5_000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                accepted.incrementAndGet();
                start(() -> pump(client, upstream, true), "frame-proxy-up");
                start(() -> pump(upstream, client, false), "frame-proxy-down");
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    continue;
                }
                return;
            }
        }
    }

    private static void start(final Runnable task, final String name)
    {
        final Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void pump(final Socket from, final Socket to, final boolean requests)
    {
        try
        {
            final DataInputStream in = new DataInputStream(from.getInputStream());
            final OutputStream out = to.getOutputStream();
            final byte[] lengthField = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
            while (true)
            {
                in.readFully(lengthField);
                final int length = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getInt();
                final byte[] message = new byte[length];
                in.readFully(message);
                final int type = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN)
                    .getShort(MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET) & 0xFFFF;
                if (!requests && type == dropAnswerType && answersToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                {
                    answersDropped.incrementAndGet();
                    continue;
                }
                final boolean kill = requests && killAfterRequestsOfType.compareAndSet(type, -1);
                if (kill)
                {
                    // The client's side goes first, so the node's answer cannot reach it on this connection even
                    // when the node answers before the cut (seen once in CI: no retry, no second connection).
                    closeQuietly(from);
                }
                out.write(lengthField);
                out.write(message);
                out.flush();
                if (kill)
                {
                    closeQuietly(to);
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        server.close();
        killConnections();
    }
}
