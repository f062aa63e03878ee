package io.stockgrid.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Limits;
import io.stockgrid.api.OpenApi;
import io.stockgrid.ingest.http.Route;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the OpenAPI document of HTTP v1 to what the node really serves: it lists exactly the routes of
 * {@link Route}, the node serves it byte for byte, every documented operation is served, and every status the node
 * answers to a probe of an operation is one the document lists for it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiRoutesTest
{
    private static final List<String> HTTP_METHODS =
        List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    /** Methods tried, in order, to find one a path does not serve. */
    private static final List<String> OTHER_METHODS = List.of("DELETE", "PATCH", "PUT", "POST", "GET");
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^}/]+)}");
    /** Valid path values, the same as the document's examples, so the probes act on what earlier probes made. */
    private static final Map<String, String> KNOWN_IDS =
        Map.of("sku", "SKU-1", "location", "LOC-1", "reservationId", "r-1001");
    /** Matches neither path pattern ('!' is in neither character class). */
    private static final String INVALID_ID = "not!an-id";
    private static final Map<String, Pattern> PATH_PATTERNS =
        Map.of("sku", Limits.KEY_PART, "location", Limits.KEY_PART, "reservationId", Limits.REQUEST_ID);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static byte[] yamlBytes;
    private static JsonNode document;
    private static StockgridNode node;
    private static HttpJson http;

    /** One documented operation: a method (upper case) on a path template. */
    private record Operation(String method, String template, JsonNode pathItem, JsonNode operation)
    {
        String key()
        {
            return method + " " + template;
        }
    }

    /** One request sent to probe an operation, and what it is meant to exercise. */
    private record Probe(String purpose, String path, String contentType, String body, Map<String, String> headers)
    {
    }

    @BeforeAll
    static void startNode() throws Exception
    {
        try (InputStream in = OpenApiRoutesTest.class.getResourceAsStream(OpenApi.RESOURCE))
        {
            assertThat(in).as("classpath resource %s", OpenApi.RESOURCE).isNotNull();
            yamlBytes = in.readAllBytes();
        }
        document = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
            .readTree(yamlBytes);
        node = TestNode.start(dataDir);
        // The probe of POST /admin/drain must not stop the node the other probes use: drain does nothing here
        // (AdminRoutesTest drains a node of its own).
        node.onDrainRequest(() ->
        {
        });
        http = new HttpJson(node.httpPort());
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldDocumentExactlyTheServedRoutes()
    {
        assertThat(document.path("openapi").asText()).isEqualTo("3.0.3");
        final Set<String> documented = operations().stream().map(Operation::key)
            .collect(Collectors.toCollection(LinkedHashSet::new));
        final Set<String> served = Arrays.stream(Route.values()).map(r -> r.method() + " " + r.template())
            .collect(Collectors.toCollection(LinkedHashSet::new));

        assertThat(documented).as("(METHOD, path) pairs of %s vs Route.values()", OpenApi.RESOURCE)
            .containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void shouldDocumentEveryPathParameterWithTheContractPattern()
    {
        final SoftAssertions softly = new SoftAssertions();
        for (final Operation op : operations())
        {
            final Map<String, JsonNode> params = pathParameters(op);
            softly.assertThat(params.keySet()).as("path parameters of %s", op.key())
                .containsExactlyInAnyOrderElementsOf(templateVariables(op.template()));
            for (final Map.Entry<String, JsonNode> p : params.entrySet())
            {
                final Pattern contract = PATH_PATTERNS.get(p.getKey());
                softly.assertThat(contract).as("a contract pattern for path parameter %s", p.getKey()).isNotNull();
                softly.assertThat(p.getValue().path("required").asBoolean()).as("%s of %s is required", p.getKey(),
                    op.key()).isTrue();
                if (contract != null)
                {
                    softly.assertThat(resolve(p.getValue().path("schema")).path("pattern").asText())
                        .as("pattern of %s in %s", p.getKey(), op.key()).isEqualTo("^" + contract.pattern() + "$");
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void shouldDocumentEveryErrorCode()
    {
        final List<String> documented = new ArrayList<>();
        document.path("components").path("schemas").path("ErrorCode").path("enum")
            .forEach(code -> documented.add(code.asText()));
        final List<String> codes = Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList();

        assertThat(documented).containsExactlyInAnyOrderElementsOf(codes);
    }

    @Test
    void shouldServeTheDocumentByteForByte() throws Exception
    {
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(http.base()
            + "/v1/openapi.yaml")).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofByteArray());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/yaml");
        assertThat(response.body()).isEqualTo(yamlBytes);
    }

    @Test
    void shouldServeEveryDocumentedOperationAndAnswerOnlyDocumentedStatuses()
    {
        final SoftAssertions softly = new SoftAssertions();
        for (final Operation op : operations())
        {
            final List<Probe> probes = probes(op);
            for (int i = 0; i < probes.size(); i++)
            {
                final Probe probe = probes.get(i);
                final HttpJson.Answer answer = send(op.method(), probe);
                final int status = answer.status();
                final String error = answer.json() == null ? "" : answer.json().path("error").asText();
                final String seen = op.key() + " (" + probe.purpose() + ": " + op.method() + " " + probe.path()
                    + ") answered " + status + " " + answer.body();

                softly.assertThat(status == 404 && ErrorCode.NOT_FOUND.name().equals(error))
                    .as("route not served: %s", seen).isFalse();
                softly.assertThat(status).as("method not served: %s", seen).isNotEqualTo(405);
                softly.assertThat(isDocumented(op, status))
                    .as("status not documented; %s; documented: %s", seen, responseKeys(op)).isTrue();
                if (!error.isEmpty())
                {
                    softly.assertThat(httpStatusOf(error)).as("status of error code %s; %s", error, seen)
                        .isEqualTo(status);
                }
                if (i == 0)
                {
                    softly.assertThat(status).as("the documented example is refused: %s", seen)
                        .isNotIn(400, 415);
                }
            }
        }
        softly.assertAll();
    }

    @Test
    void shouldRefuseOtherMethodsWithTheDocumentedOnesInAllow()
    {
        final Map<String, Set<String>> methodsByTemplate = new LinkedHashMap<>();
        for (final Operation op : operations())
        {
            methodsByTemplate.computeIfAbsent(op.template(), t -> new LinkedHashSet<>()).add(op.method());
        }
        final SoftAssertions softly = new SoftAssertions();
        for (final Map.Entry<String, Set<String>> e : methodsByTemplate.entrySet())
        {
            final String method = OTHER_METHODS.stream().filter(m -> !e.getValue().contains(m)).findFirst()
                .orElseThrow();
            final String path = fill(e.getKey(), KNOWN_IDS);
            final HttpJson.Answer answer = send(method, new Probe("other method", path, null, null, Map.of()));

            softly.assertThat(answer.status()).as("%s %s", method, path).isEqualTo(405);
            softly.assertThat(answer.json() == null ? "" : answer.text("error")).as("%s %s", method, path)
                .isEqualTo(ErrorCode.METHOD_NOT_ALLOWED.name());
            final Set<String> allow = Arrays.stream(answer.raw().headers().firstValue("Allow").orElse("").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
            softly.assertThat(allow).as("Allow of %s %s", method, path)
                .containsExactlyInAnyOrderElementsOf(e.getValue());
        }
        final HttpJson.Answer unknown = http.get("/v1/no-such-route");
        softly.assertThat(unknown.status()).isEqualTo(404);
        softly.assertThat(unknown.text("error")).isEqualTo(ErrorCode.NOT_FOUND.name());
        softly.assertAll();
    }

    /** The document's operations, in document order. */
    private static List<Operation> operations()
    {
        final List<Operation> operations = new ArrayList<>();
        for (final Map.Entry<String, JsonNode> path : document.path("paths").properties())
        {
            for (final String method : HTTP_METHODS)
            {
                final JsonNode operation = path.getValue().get(method);
                if (operation != null)
                {
                    operations.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey(), path.getValue(),
                        operation));
                }
            }
        }
        assertThat(operations).as("operations documented in %s", OpenApi.RESOURCE).isNotEmpty();
        return operations;
    }

    /**
     * The requests that probe an operation: first its documented example (known ids, the example body), then the
     * same with ids that name nothing, then each path parameter made invalid, then a body of the wrong media type and
     * a body missing every required field.
     */
    private static List<Probe> probes(final Operation op)
    {
        final JsonNode requestBody = resolve(op.operation().path("requestBody"));
        final boolean hasBody = !requestBody.isMissingNode();
        final String body = hasBody ? exampleBody(op, requestBody) : null;
        final String contentType = hasBody ? "application/json" : null;
        final Map<String, String> headers = exampleHeaders(op);
        final List<Probe> probes = new ArrayList<>();
        probes.add(new Probe("documented example", fill(op.template(), KNOWN_IDS), contentType, body, headers));
        final Set<String> variables = templateVariables(op.template());
        if (!variables.isEmpty())
        {
            probes.add(new Probe("unknown ids", fill(op.template(), unknownIds(op)), contentType, body, headers));
        }
        for (final String variable : variables)
        {
            final Map<String, String> ids = new LinkedHashMap<>(KNOWN_IDS);
            ids.put(variable, INVALID_ID);
            probes.add(new Probe("invalid " + variable, fill(op.template(), ids), contentType, body, headers));
        }
        if (hasBody)
        {
            final String path = fill(op.template(), KNOWN_IDS);
            probes.add(new Probe("wrong media type", path, "text/plain", body, headers));
            probes.add(new Probe("empty object", path, contentType, "{}", headers));
        }
        return probes;
    }

    /** Valid path values that name nothing yet: fresh for each operation, as a mutation creates what it names. */
    private static Map<String, String> unknownIds(final Operation op)
    {
        final String suffix = Integer.toString(op.key().hashCode() & 0x7fff_ffff, 36);
        return Map.of("sku", "SKU-new-" + suffix, "location", "LOC-new-" + suffix, "reservationId", "r-new-" + suffix);
    }

    private static String exampleBody(final Operation op, final JsonNode requestBody)
    {
        final JsonNode example = requestBody.path("content").path("application/json").path("example");
        assertThat(example.isObject()).as("%s documents an example JSON request body", op.key()).isTrue();
        try
        {
            return JSON.writeValueAsString(example);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The documented header parameters that have an example, with that example. */
    private static Map<String, String> exampleHeaders(final Operation op)
    {
        final Map<String, String> headers = new LinkedHashMap<>();
        for (final JsonNode p : parameters(op))
        {
            if ("header".equals(p.path("in").asText()) && p.has("example"))
            {
                headers.put(p.path("name").asText(), p.path("example").asText());
            }
        }
        return headers;
    }

    /** Path-item and operation parameters, references resolved. */
    private static List<JsonNode> parameters(final Operation op)
    {
        final List<JsonNode> parameters = new ArrayList<>();
        op.pathItem().path("parameters").forEach(p -> parameters.add(resolve(p)));
        op.operation().path("parameters").forEach(p -> parameters.add(resolve(p)));
        return parameters;
    }

    private static Map<String, JsonNode> pathParameters(final Operation op)
    {
        final Map<String, JsonNode> params = new LinkedHashMap<>();
        for (final JsonNode p : parameters(op))
        {
            if ("path".equals(p.path("in").asText()))
            {
                params.put(p.path("name").asText(), p);
            }
        }
        return params;
    }

    /** Follows local {@code $ref}s ({@code #/components/...}); a bounded chain, as refs may point at refs. */
    private static JsonNode resolve(final JsonNode node)
    {
        JsonNode resolved = node;
        for (int hops = 0; hops < 8 && resolved.has("$ref"); hops++)
        {
            final String ref = resolved.get("$ref").asText();
            assertThat(ref).as("only local references are followed").startsWith("#/");
            resolved = document.at(ref.substring(1));
            assertThat(resolved.isMissingNode()).as("reference %s resolves", ref).isFalse();
        }
        return resolved;
    }

    private static Set<String> templateVariables(final String template)
    {
        final Set<String> variables = new LinkedHashSet<>();
        final Matcher m = TEMPLATE_VARIABLE.matcher(template);
        while (m.find())
        {
            variables.add(m.group(1));
        }
        return variables;
    }

    private static String fill(final String template, final Map<String, String> values)
    {
        final Matcher m = TEMPLATE_VARIABLE.matcher(template);
        final StringBuilder path = new StringBuilder(template.length() + 32);
        while (m.find())
        {
            final String value = values.get(m.group(1));
            assertThat(value).as("a test value for path parameter {%s} of %s", m.group(1), template).isNotNull();
            m.appendReplacement(path, Matcher.quoteReplacement(value));
        }
        m.appendTail(path);
        return path.toString();
    }

    /** A status is documented for an operation as itself, as its class ({@code 4XX}), or by {@code default}. */
    private static boolean isDocumented(final Operation op, final int status)
    {
        final JsonNode responses = op.operation().path("responses");
        return responses.has(Integer.toString(status)) || responses.has((status / 100) + "XX")
            || responses.has("default");
    }

    private static List<String> responseKeys(final Operation op)
    {
        final List<String> keys = new ArrayList<>();
        op.operation().path("responses").properties().forEach(e -> keys.add(e.getKey()));
        return keys;
    }

    private static int httpStatusOf(final String error)
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            if (code.name().equals(error))
            {
                return code.httpStatus();
            }
        }
        return -1;
    }

    private static HttpJson.Answer send(final String method, final Probe probe)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(http.base() + probe.path()))
            .method(method, probe.body() == null ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(probe.body()));
        if (probe.contentType() != null)
        {
            request.header("Content-Type", probe.contentType());
        }
        probe.headers().forEach(request::header);
        return http.send(request);
    }
}
