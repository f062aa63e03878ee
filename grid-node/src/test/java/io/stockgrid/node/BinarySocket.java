package io.stockgrid.node;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.binary.ErrorDecoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.HelloEncoder;
import io.stockgrid.api.binary.HelloOkDecoder;
import io.stockgrid.api.binary.MessageHeaderDecoder;
import io.stockgrid.api.binary.MessageType;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.ToIntFunction;

/** Binary protocol v1 over a plain blocking socket on loopback, for tests that send what a client never would. */
final class BinarySocket implements AutoCloseable
{
    static final int READ_TIMEOUT_MS = 10_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    BinarySocket(final int port) throws IOException
    {
        this(port, READ_TIMEOUT_MS);
    }

    BinarySocket(final int port, final int readTimeoutMs) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        socket.setSoTimeout(readTimeoutMs);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** One message as it came off the wire (without the frame's length field). */
    record Frame(byte[] message)
    {
        UnsafeBuffer buffer()
        {
            return new UnsafeBuffer(message);
        }

        int type()
        {
            return new MessageHeaderDecoder().wrap(buffer(), 0).messageType();
        }

        long requestId()
        {
            return new MessageHeaderDecoder().wrap(buffer(), 0).requestId();
        }

        ErrorDecoder error()
        {
            final ErrorDecoder error = new ErrorDecoder().wrap(buffer(), 0, message.length);
            if (type() != MessageType.ERROR || !error.validate())
            {
                throw new AssertionError("not a valid ERROR: type " + type() + " " + error.violation());
            }
            return error;
        }

        ErrorCode errorCode()
        {
            return error().errorCode();
        }

        String errorMessage()
        {
            return error().message();
        }
    }

    /** Encodes a message with {@code encoder} (which writes at offset 0 and returns its length) into a frame. */
    static byte[] frame(final ToIntFunction<MutableDirectBuffer> encoder)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_BYTES_MIN]);
        final int length = encoder.applyAsInt(buffer);
        return frameOf(buffer.byteArray(), 0, length);
    }

    static byte[] frameOf(final byte[] message, final int offset, final int length)
    {
        final byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH + length];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(length);
        System.arraycopy(message, offset, frame, FrameDescriptor.LENGTH_FIELD_LENGTH, length);
        return frame;
    }

    static byte[] helloFrame(final int minVersion, final int maxVersion)
    {
        return helloFrame(minVersion, maxVersion, null);
    }

    /** A HELLO; from maxVersion 2 it carries the secret field ({@code secret} null: empty, no key). */
    static byte[] helloFrame(final int minVersion, final int maxVersion, final String secret)
    {
        return frame(b ->
        {
            final HelloEncoder e = new HelloEncoder().wrap(b, 0).requestId(0).minVersion(minVersion)
                .maxVersion(maxVersion);
            if (io.stockgrid.api.binary.HelloDescriptor.hasSecret(maxVersion))
            {
                e.secret(secret);
            }
            return e.encodedLength();
        });
    }

    /** Sends HELLO for version 2 without a key and checks the HELLO_OK. */
    HelloOkDecoder hello() throws IOException
    {
        return hello(null);
    }

    /** Sends HELLO for version 2 with the secret (null: none) and checks the HELLO_OK. */
    HelloOkDecoder hello(final String secret) throws IOException
    {
        send(helloFrame(2, 2, secret));
        final Frame answer = read();
        if (answer == null || answer.type() != MessageType.HELLO_OK)
        {
            throw new AssertionError("expected HELLO_OK, got " + (answer == null ? "EOF" : answer.type()));
        }
        final HelloOkDecoder ok = new HelloOkDecoder().wrap(answer.buffer(), 0, answer.message().length);
        if (!ok.validate())
        {
            throw new AssertionError(ok.violation());
        }
        return ok;
    }

    void send(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Sends, tolerating a peer that already closed (it may refuse mid-stream). */
    boolean trySend(final byte[] bytes)
    {
        try
        {
            send(bytes);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    void shutdownOutput() throws IOException
    {
        socket.shutdownOutput();
    }

    /** The next frame, or null if the peer closed the connection. */
    Frame read() throws IOException
    {
        final int b0;
        try
        {
            b0 = in.read();
        }
        catch (final SocketException ex)
        {
            return null;
        }
        if (b0 < 0)
        {
            return null;
        }
        final byte[] rest = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH - 1];
        try
        {
            in.readFully(rest);
            final int length = (b0 & 0xFF) | (rest[0] & 0xFF) << 8 | (rest[1] & 0xFF) << 16 | (rest[2] & 0xFF) << 24;
            if (length < 0 || length > FrameDescriptor.MAX_FRAME_BYTES_MAX)
            {
                throw new AssertionError("the node sent a frame length of " + length);
            }
            final byte[] message = new byte[length];
            in.readFully(message);
            return new Frame(message);
        }
        catch (final EOFException ex)
        {
            throw new AssertionError("the node sent a truncated frame", ex);
        }
    }

    /** Reads until the peer closes; fails if a frame arrives instead. */
    void assertClosedByPeer() throws IOException
    {
        final Frame frame = read();
        if (frame != null)
        {
            throw new AssertionError("expected the connection to be closed, got message type " + frame.type());
        }
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
