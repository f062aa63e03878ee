package io.stockgrid.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking JSON client over java.net.http for tests against a real node on loopback. */
public final class HttpJson
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    /** An API key secret sent as {@code Authorization: Bearer} on every request, or null. */
    private final String bearer;

    public HttpJson(final int port)
    {
        this(port, null);
    }

    /** Sends {@code Authorization: Bearer <secret>} with every request (a node with API keys). */
    public HttpJson(final int port, final String bearer)
    {
        this.base = "http://127.0.0.1:" + port;
        this.bearer = bearer;
    }

    /** An answer: status, parsed JSON body (null if not JSON), raw body and headers. */
    public record Answer(int status, JsonNode json, String body, HttpResponse<String> raw)
    {
        public String text(final String field)
        {
            return json.path(field).asText();
        }

        public long number(final String field)
        {
            return json.path(field).asLong();
        }
    }

    public Answer get(final String path)
    {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Answer post(final String path, final String json)
    {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer put(final String path, final String json)
    {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Answer send(final HttpRequest.Builder request)
    {
        try
        {
            if (bearer != null)
            {
                request.setHeader("Authorization", "Bearer " + bearer);
            }
            final HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            final String type = response.headers().firstValue("Content-Type").orElse("");
            if (type.startsWith("application/json") && !response.body().isEmpty())
            {
                json = MAPPER.readTree(response.body());
            }
            return new Answer(response.statusCode(), json, response.body(), response);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public String base()
    {
        return base;
    }
}
