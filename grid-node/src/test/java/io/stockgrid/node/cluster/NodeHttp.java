package io.stockgrid.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * HTTP/1.1 keep-alive calls to any node of a cluster on loopback, with short timeouts, whose every outcome is a
 * value: an answer, a timeout, or a failed connection. Thread-safe; one is shared by a driver's threads.
 */
public final class NodeHttp
{
    static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client;
    private final Duration requestTimeout;

    public NodeHttp(final Duration connectTimeout, final Duration requestTimeout)
    {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
            .build();
        this.requestTimeout = requestTimeout;
    }

    public enum Kind
    {
        ANSWERED, TIMEOUT, CONNECTION
    }

    /** One exchange: for ANSWERED the status and body (json null if the body is not JSON); else the failure. */
    public record Attempt(Kind kind, int port, int status, JsonNode json, String body, String failure)
    {
        public String text(final String field)
        {
            return json == null ? "" : json.path(field).asText();
        }

        public long number(final String field)
        {
            return json == null ? -1 : json.path(field).asLong(-1);
        }

        /** The error code of an error answer, or "" ("INSUFFICIENT_STOCK", "REQUEST_IN_PROGRESS", ...). */
        public String error()
        {
            return text("error");
        }

        @Override
        public String toString()
        {
            return kind == Kind.ANSWERED ? status + " " + body : kind + " (" + failure + ")";
        }
    }

    public Attempt get(final int port, final String path)
    {
        return send(port, HttpRequest.newBuilder(uri(port, path)).GET());
    }

    public Attempt post(final int port, final String path, final String json)
    {
        return send(port, HttpRequest.newBuilder(uri(port, path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Attempt put(final int port, final String path, final String json)
    {
        return send(port, HttpRequest.newBuilder(uri(port, path)).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static URI uri(final int port, final String path)
    {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Attempt send(final int port, final HttpRequest.Builder request)
    {
        try
        {
            final HttpResponse<String> response = client.send(request.timeout(requestTimeout).build(),
                HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            final String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.startsWith("application/json") && !response.body().isEmpty())
            {
                try
                {
                    json = MAPPER.readTree(response.body());
                }
                catch (final IOException notJson)
                {
                    json = null;
                }
            }
            return new Attempt(Kind.ANSWERED, port, response.statusCode(), json, response.body(), null);
        }
        catch (final HttpConnectTimeoutException ex)
        {
            return new Attempt(Kind.CONNECTION, port, 0, null, null, ex.toString());
        }
        catch (final HttpTimeoutException ex)
        {
            return new Attempt(Kind.TIMEOUT, port, 0, null, null, ex.toString());
        }
        catch (final IOException ex)
        {
            return new Attempt(Kind.CONNECTION, port, 0, null, null, ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Attempt(Kind.CONNECTION, port, 0, null, null, "interrupted");
        }
    }
}
