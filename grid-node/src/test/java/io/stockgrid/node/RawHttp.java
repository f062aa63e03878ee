package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket on loopback, for what java.net.http will not send: request targets it refuses to
 * parse, several requests in one write (pipelining), and bodies the server refuses before reading them.
 */
final class RawHttp implements AutoCloseable
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final int HEADER_LINE_BYTES_MAX = 8192;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(final int port) throws IOException
    {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** One answer as it came off the wire; header names are lower case. */
    record Response(int status, Map<String, String> headers, byte[] body)
    {
        String header(final String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json()
        {
            try
            {
                return MAPPER.readTree(body);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("not JSON: " + text(), ex);
            }
        }
    }

    /** The bytes of one request; {@code contentType} and {@code body} may be null. */
    static byte[] request(final String method, final String target, final String contentType, final byte[] body,
        final boolean close)
    {
        final StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n").append("Host: 127.0.0.1\r\n");
        if (contentType != null)
        {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (body != null)
        {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        if (close)
        {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        final byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        final byte[] bodyBytes = body == null ? new byte[0] : body;
        final byte[] all = new byte[headBytes.length + bodyBytes.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(bodyBytes, 0, all, headBytes.length, bodyBytes.length);
        return all;
    }

    static byte[] json(final String method, final String target, final String body)
    {
        return request(method, target, "application/json", body.getBytes(StandardCharsets.UTF_8), false);
    }

    static byte[] concat(final byte[]... parts)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** Writes all the bytes in one call, so that several requests travel together. */
    void write(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** Reads one answer; every answer of the node carries a Content-Length. */
    Response read() throws IOException
    {
        return read(false);
    }

    /**
     * Reads one answer; {@code bodyless} for the answer to a HEAD request, whose Content-Length says what a GET would
     * have carried while no body follows (RFC 9110, 9.3.2).
     */
    Response read(final boolean bodyless) throws IOException
    {
        final String statusLine = line();
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.1"))
        {
            throw new IOException("not an HTTP/1.1 status line: '" + statusLine + "'");
        }
        final int status = Integer.parseInt(parts[1]);
        final Map<String, String> headers = new HashMap<>();
        for (String header = line(); !header.isEmpty(); header = line())
        {
            final int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        final String length = headers.get("content-length");
        if (length == null)
        {
            throw new IOException("answer without Content-Length: " + statusLine + " " + headers);
        }
        if (bodyless)
        {
            return new Response(status, headers, new byte[0]);
        }
        final byte[] body = in.readNBytes(Integer.parseInt(length));
        if (body.length != Integer.parseInt(length))
        {
            throw new EOFException("connection closed inside a body of " + length + " bytes");
        }
        return new Response(status, headers, body);
    }

    /**
     * True if the peer closed the connection (end of stream or reset) with nothing more to read; false if more bytes
     * came; a read timeout fails.
     */
    boolean closedByPeer() throws IOException
    {
        try
        {
            return in.read() == -1;
        }
        catch (final SocketTimeoutException ex)
        {
            throw new IOException("the connection stayed open for " + READ_TIMEOUT_MS + " ms", ex);
        }
        catch (final SocketException ex)
        {
            return true;
        }
    }

    private String line() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        int previous = -1;
        while (bytes.size() < HEADER_LINE_BYTES_MAX)
        {
            final int b = in.read();
            if (b == -1)
            {
                throw new EOFException("connection closed before the end of a line: '" + bytes + "'");
            }
            if (previous == '\r' && b == '\n')
            {
                final byte[] raw = bytes.toByteArray();
                return new String(raw, 0, raw.length - 1, StandardCharsets.US_ASCII);
            }
            bytes.write(b);
            previous = b;
        }
        throw new IOException("header line longer than " + HEADER_LINE_BYTES_MAX + " bytes");
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
