package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.stockgrid.api.Limits;
import io.stockgrid.ingest.http.Route;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One fuzz input read as one HTTP request to the node (see {@link HttpFuzzTest}). The layout keeps a seed a readable
 * text file while every byte string, however mutated, is still a request:
 * <pre>
 *   line 1  one choice per byte; a missing byte picks the first; each is read modulo its count from its base
 *           character, so a mutated byte still picks something:
 *           [0] route    'A' + index in Route.values(): A SET_STOCK, B ADJUST_STOCK, C AVAILABILITY,
 *                        D SKU_AVAILABILITY, E RESERVE, F GET_RESERVATION, G COMMIT, H RELEASE, I RETURN, J OPENAPI,
 *                        K LIVE, L READY, M METRICS, N ADMIN_CLUSTER, O ADMIN_DRAIN
 *           [1] method   '0' the route's own, '1' GET, '2' POST, '3' PUT, '4' DELETE, '5' PATCH, '6' HEAD,
 *                        '7' OPTIONS, '8' BREW
 *           [2] key      '0' every scope but admin, '1' read only, '2' none, '3' an unknown secret, '4' the Basic
 *                        scheme, '5' "Bearer" and nothing
 *           [3] type     '0' application/json, '1' no Content-Type, '2' text/plain,
 *                        '3' application/json; charset=utf-8, '4' APPLICATION/JSON, '5' ;;;
 *           [4] X-Correlation-Id  '0' none, '1' valid, '2' 129 chars, '3' with a space, '4' empty
 *           [5] target   '0' origin form, '1' with '?' and the extra token as query, '2' absolute form,
 *                        '3' absolute form with the extra token as authority, '4' the extra token as one more segment
 *           [6] framing  '0' Content-Length, '1' padded with spaces to 64 KiB, '2' to 64 KiB + 1, '3' no body and no
 *                        length, '4' chunked, in two chunks
 *   line 2  path parameters separated by ' ', in template order, then the extra token; a missing parameter is
 *           FZ-A (sku), WH-1 (location) or fz-held (reservationId). Bytes a request line cannot carry are sent
 *           %-escaped; '%' itself is sent as it is, so malformed escapes reach the node.
 *   rest    the body, with macros: $ID a request id not used before, $DEEP 2,000 nested arrays, $BIG a 400-digit
 *           integer, $UNI odd Unicode (escaped lone surrogate and NUL, a right-to-left override, an emoji, U+FFFF,
 *           a combining mark).
 * </pre>
 */
final class HttpFuzzInput
{
    static final String DEFAULT_SKU = "FZ-A";
    static final String DEFAULT_LOCATION = "WH-1";
    static final String DEFAULT_RESERVATION_ID = "fz-held";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Route[] ROUTES = Route.values();
    private static final String[] METHODS = {null, "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"};
    private static final String[] CONTENT_TYPES = {"application/json", null, "text/plain",
        "application/json; charset=utf-8", "APPLICATION/JSON", ";;;"};
    private static final String[] CORRELATION_IDS = {null, "fz-corr-1", "c".repeat(129), "a b", ""};
    private static final int KEY_CHOICES = 6;
    private static final int TARGET_CHOICES = 5;
    private static final int FRAMING_CHOICES = 5;
    private static final int DEEP_LEVELS = 2_000;
    private static final String BIG = "9".repeat(400);
    private static final String UNI = "\\uD800\\u0000\u202E\uD83D\uDE00\uFFFF e\u0301";
    /** Fresh ids for $ID, unique within the JVM (each test run has a fresh data directory). */
    private static final AtomicLong NEXT_ID = new AtomicLong();

    final Route route;
    final String method;
    final int key;
    final String contentType;
    final String correlationId;
    final int target;
    final int framing;
    final List<String> tokens;
    final byte[] body;

    private HttpFuzzInput(final Route route, final String method, final int key, final String contentType,
        final String correlationId, final int target, final int framing, final List<String> tokens, final byte[] body)
    {
        this.route = route;
        this.method = method;
        this.key = key;
        this.contentType = contentType;
        this.correlationId = correlationId;
        this.target = target;
        this.framing = framing;
        this.tokens = tokens;
        this.body = body;
    }

    static HttpFuzzInput decode(final byte[] input)
    {
        final int firstEnd = lineEnd(input, 0);
        final int secondStart = Math.min(input.length, firstEnd + 1);
        final int secondEnd = lineEnd(input, secondStart);
        final byte[] control = Arrays.copyOfRange(input, 0, firstEnd);
        final Route route = ROUTES[choice(control, 0, 'A', ROUTES.length)];
        final String method = METHODS[choice(control, 1, '0', METHODS.length)];
        final List<String> tokens = new ArrayList<>();
        if (secondEnd > secondStart)
        {
            for (final String token : new String(input, secondStart, secondEnd - secondStart,
                StandardCharsets.ISO_8859_1).split(" ", -1))
            {
                tokens.add(token);
            }
        }
        final byte[] body = expand(Arrays.copyOfRange(input, Math.min(input.length, secondEnd + 1), input.length));
        return new HttpFuzzInput(route, method == null ? route.method() : method,
            choice(control, 2, '0', KEY_CHOICES), CONTENT_TYPES[choice(control, 3, '0', CONTENT_TYPES.length)],
            CORRELATION_IDS[choice(control, 4, '0', CORRELATION_IDS.length)], choice(control, 5, '0', TARGET_CHOICES),
            choice(control, 6, '0', FRAMING_CHOICES), tokens, body);
    }

    /** True for a HEAD request: its answer has no body, whatever its Content-Length says. */
    boolean bodyless()
    {
        return "HEAD".equals(method);
    }

    /** The bytes of the request, with the secrets of the keys this input may present. */
    byte[] toWire(final int port, final String allScopesSecret, final String readSecret)
    {
        final StringBuilder head = new StringBuilder(512);
        head.append(method).append(' ').append(requestTarget(port)).append(" HTTP/1.1\r\n");
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        switch (key)
        {
            case 0 -> head.append("Authorization: Bearer ").append(allScopesSecret).append("\r\n");
            case 1 -> head.append("Authorization: Bearer ").append(readSecret).append("\r\n");
            case 3 -> head.append("Authorization: Bearer not-a-secret-this-node-knows\r\n");
            case 4 -> head.append("Authorization: Basic Zm96OmJhcg==\r\n");
            case 5 -> head.append("Authorization: Bearer\r\n");
            default ->
            {
            }
        }
        if (contentType != null)
        {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        if (correlationId != null)
        {
            head.append("X-Correlation-Id: ").append(correlationId).append("\r\n");
        }
        byte[] payload = body;
        if (framing == 1 || framing == 2)
        {
            payload = padded(body, Limits.BODY_BYTES_MAX + (framing == 2 ? 1 : 0));
        }
        if (framing == 4)
        {
            head.append("Transfer-Encoding: chunked\r\n");
        }
        else if (framing != 3)
        {
            head.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        final ByteArrayOutputStream wire = new ByteArrayOutputStream(head.length() + payload.length + 32);
        wire.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (framing == 4)
        {
            final int half = payload.length / 2;
            chunk(wire, payload, 0, half);
            chunk(wire, payload, half, payload.length);
            wire.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        else if (framing != 3)
        {
            wire.writeBytes(payload);
        }
        return wire.toByteArray();
    }

    /**
     * The skus whose stock this request could touch, as the node would read them: the path's sku and every sku the
     * body names (a request the grid refuses was valid JSON, so its skus are found here).
     */
    Set<String> skus()
    {
        final Set<String> skus = new LinkedHashSet<>();
        skus.add(DEFAULT_SKU);
        skus.add("FZ-B");
        if (route.template().contains("{sku}") && !tokens.isEmpty())
        {
            addIfKeyPart(skus, decoded(tokens.get(0)));
        }
        try
        {
            final JsonNode node = MAPPER.readTree(body);
            if (node != null && node.isObject())
            {
                addIfKeyPart(skus, node.path("sku").asText(null));
                for (final JsonNode line : node.path("lines"))
                {
                    addIfKeyPart(skus, line.path("sku").asText(null));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not JSON: the node refuses it at the door, and the journal's count covers it.
        }
        return skus;
    }

    /** The request in one line for a failure message (the body cut to 300 chars). */
    String describe(final int port)
    {
        final String text = new String(body, StandardCharsets.UTF_8);
        return method + " " + requestTarget(port) + " [" + route + ", key " + key + ", type " + contentType
            + ", correlation " + (correlationId == null ? null : correlationId.length() + " chars") + ", framing "
            + framing + "] body(" + body.length + " bytes): " + (text.length() > 300 ? text.substring(0, 300) + "..."
            : text);
    }

    private String requestTarget(final int port)
    {
        final StringBuilder path = new StringBuilder(128);
        final String template = route.template();
        int param = 0;
        int i = 0;
        while (i < template.length())
        {
            final char c = template.charAt(i);
            if (c == '{')
            {
                final int close = template.indexOf('}', i);
                final String name = template.substring(i + 1, close);
                path.append(param < tokens.size() ? escaped(tokens.get(param)) : defaultOf(name));
                param++;
                i = close + 1;
            }
            else
            {
                path.append(c);
                i++;
            }
        }
        final String extra = param < tokens.size() ? escaped(tokens.get(param)) : "";
        return switch (target)
        {
            case 1 -> path + "?" + extra;
            case 2 -> "http://127.0.0.1:" + port + path;
            case 3 -> "http://" + extra + path;
            case 4 -> path + "/" + extra;
            default -> path.toString();
        };
    }

    private static String defaultOf(final String name)
    {
        return switch (name)
        {
            case "sku" -> DEFAULT_SKU;
            case "location" -> DEFAULT_LOCATION;
            default -> DEFAULT_RESERVATION_ID;
        };
    }

    /** A token as a request line can carry it: controls, space, DEL and non-ASCII bytes %-escaped, the rest as is. */
    private static String escaped(final String token)
    {
        final StringBuilder out = new StringBuilder(token.length() + 8);
        for (int i = 0; i < token.length(); i++)
        {
            final char c = token.charAt(i);
            if (c <= 0x20 || c >= 0x7f)
            {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4 & 0xf, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
            else
            {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String decoded(final String token)
    {
        try
        {
            return QueryStringDecoder.decodeComponent(escaped(token), StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static void addIfKeyPart(final Set<String> skus, final String sku)
    {
        if (Limits.isKeyPart(sku))
        {
            skus.add(sku);
        }
    }

    private static int choice(final byte[] control, final int index, final char base, final int count)
    {
        return index < control.length ? Math.floorMod((control[index] & 0xff) - base, count) : 0;
    }

    private static int lineEnd(final byte[] input, final int from)
    {
        for (int i = from; i < input.length; i++)
        {
            if (input[i] == '\n')
            {
                return i;
            }
        }
        return input.length;
    }

    private static byte[] expand(final byte[] template)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(template.length + 64);
        int i = 0;
        while (i < template.length)
        {
            if (template[i] == '$')
            {
                if (startsWith(template, i + 1, "DEEP"))
                {
                    out.writeBytes("[".repeat(DEEP_LEVELS).getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes("]".repeat(DEEP_LEVELS).getBytes(StandardCharsets.US_ASCII));
                    i += 5;
                    continue;
                }
                if (startsWith(template, i + 1, "BIG"))
                {
                    out.writeBytes(BIG.getBytes(StandardCharsets.US_ASCII));
                    i += 4;
                    continue;
                }
                if (startsWith(template, i + 1, "UNI"))
                {
                    out.writeBytes(UNI.getBytes(StandardCharsets.UTF_8));
                    i += 4;
                    continue;
                }
                if (startsWith(template, i + 1, "ID"))
                {
                    out.writeBytes(("fz-" + NEXT_ID.incrementAndGet()).getBytes(StandardCharsets.US_ASCII));
                    i += 3;
                    continue;
                }
            }
            out.write(template[i]);
            i++;
        }
        return out.toByteArray();
    }

    private static boolean startsWith(final byte[] bytes, final int from, final String word)
    {
        if (from + word.length() > bytes.length)
        {
            return false;
        }
        for (int i = 0; i < word.length(); i++)
        {
            if (bytes[from + i] != word.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] padded(final byte[] body, final int length)
    {
        if (body.length >= length)
        {
            return body;
        }
        final byte[] out = Arrays.copyOf(body, length);
        Arrays.fill(out, body.length, length, (byte)' ');
        return out;
    }

    private static void chunk(final ByteArrayOutputStream wire, final byte[] payload, final int from, final int to)
    {
        if (to == from)
        {
            return;
        }
        wire.writeBytes((Integer.toHexString(to - from) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        wire.write(payload, from, to - from);
        wire.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
}
