package io.stockgrid.ingest.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stockgrid.api.Limits;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.ingest.Commands;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns HTTP v1 JSON bodies into validated commands. Every refusal names the field and the rule it broke; unknown
 * fields are ignored so that clients may send newer fields to older nodes.
 */
final class JsonRequests
{
    static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        // A body is exactly one JSON value: without this, readTree stops after the first value and ignores the rest,
        // so '{"onHand":1} {"onHand":2}' or '{"onHand":1}]' would be applied as if it were valid.
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    private JsonRequests()
    {
    }

    static JsonNode parseObject(final byte[] body) throws BadRequest
    {
        if (body.length == 0)
        {
            throw new BadRequest("request body is required");
        }
        final JsonNode node;
        try
        {
            node = MAPPER.readTree(body);
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadRequest("malformed JSON: " + ex.getOriginalMessage());
        }
        catch (final IOException ex)
        {
            throw new BadRequest("unreadable body: " + ex.getMessage());
        }
        if (node == null || !node.isObject())
        {
            throw new BadRequest("request body must be a JSON object");
        }
        return node;
    }

    static String pathKeyPart(final String name, final String value) throws BadRequest
    {
        if (!Limits.isKeyPart(value))
        {
            throw new BadRequest("path parameter '" + name + "' must be " + Limits.KEY_PART_RULE);
        }
        return value;
    }

    static String pathRequestId(final String name, final String value) throws BadRequest
    {
        if (!Limits.isRequestId(value))
        {
            throw new BadRequest("path parameter '" + name + "' must be " + Limits.REQUEST_ID_RULE);
        }
        return value;
    }

    static Commands.SetStock setStock(final String sku, final String location, final byte[] body) throws BadRequest
    {
        return setStock(sku, location, parseObject(body));
    }

    static Commands.SetStock setStock(final String sku, final String location, final JsonNode node) throws BadRequest
    {
        final long onHand = requireLong(node, "onHand", "onHand", Limits.STOCK_MIN, Limits.STOCK_MAX);
        final long safetyStock = node.has("safetyStock") ?
            requireLong(node, "safetyStock", "safetyStock", Limits.STOCK_MIN, Limits.STOCK_MAX) : -1;
        return new Commands.SetStock(sku, location, onHand, safetyStock);
    }

    static Commands.Adjust adjust(final String sku, final String location, final byte[] body) throws BadRequest
    {
        return adjust(sku, location, parseObject(body));
    }

    static Commands.Adjust adjust(final String sku, final String location, final JsonNode node) throws BadRequest
    {
        final String eventId = requireString(node, "eventId", "eventId", Limits.REQUEST_ID,
            Limits.REQUEST_ID_RULE);
        final long delta = requireLong(node, "delta", "delta", -Limits.DELTA_ABS_MAX, Limits.DELTA_ABS_MAX);
        if (delta == 0)
        {
            throw new BadRequest("field 'delta' must not be 0");
        }
        final String reason = optionalText(node, "reason", Limits.REASON_CHARS_MAX);
        return new Commands.Adjust(sku, location, eventId, delta, reason);
    }

    static Commands.Return returnOf(final byte[] body) throws BadRequest
    {
        return returnOf(parseObject(body));
    }

    static Commands.Return returnOf(final JsonNode node) throws BadRequest
    {
        final String returnId = requireString(node, "returnId", "returnId", Limits.REQUEST_ID,
            Limits.REQUEST_ID_RULE);
        final String sku = requireString(node, "sku", "sku", Limits.KEY_PART, Limits.KEY_PART_RULE);
        final String location = requireString(node, "location", "location", Limits.KEY_PART,
            Limits.KEY_PART_RULE);
        final long quantity = requireLong(node, "quantity", "quantity", Limits.LINE_QUANTITY_MIN,
            Limits.LINE_QUANTITY_MAX);
        final JsonNode d = node.get("disposition");
        if (d == null || !d.isTextual())
        {
            throw new BadRequest("field 'disposition' is required and must be \"RESTOCK\" or \"DAMAGED\"");
        }
        final ReturnDisposition disposition;
        try
        {
            disposition = ReturnDisposition.valueOf(d.textValue());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRequest("field 'disposition' must be \"RESTOCK\" or \"DAMAGED\"");
        }
        return new Commands.Return(returnId, sku, location, quantity, disposition);
    }

    static Commands.Reserve reserve(final byte[] body, final String headerCorrelationId) throws BadRequest
    {
        return reserve(parseObject(body), headerCorrelationId);
    }

    static Commands.Reserve reserve(final JsonNode node, final String headerCorrelationId) throws BadRequest
    {
        final String reservationId = requireString(node, "reservationId", "reservationId", Limits.REQUEST_ID,
            Limits.REQUEST_ID_RULE);
        final JsonNode linesNode = node.get("lines");
        if (linesNode == null || !linesNode.isArray())
        {
            throw new BadRequest("field 'lines' is required and must be an array");
        }
        if (linesNode.size() < Limits.LINES_MIN || linesNode.size() > Limits.LINES_MAX)
        {
            throw new BadRequest("field 'lines' must have " + Limits.LINES_MIN + ".." + Limits.LINES_MAX
                + " entries, has " + linesNode.size());
        }
        final List<ReservationLine> lines = new ArrayList<>(linesNode.size());
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < linesNode.size(); i++)
        {
            final JsonNode line = linesNode.get(i);
            final String at = "lines[" + i + "]";
            if (!line.isObject())
            {
                throw new BadRequest("field '" + at + "' must be an object");
            }
            final String sku = requireString(line, "sku", at + ".sku", Limits.KEY_PART,
                Limits.KEY_PART_RULE);
            final String location = requireString(line, "location", at + ".location", Limits.KEY_PART,
                Limits.KEY_PART_RULE);
            final long quantity = requireLong(line, "quantity", at + ".quantity", Limits.LINE_QUANTITY_MIN,
                Limits.LINE_QUANTITY_MAX);
            if (!seen.add(sku + '\u0000' + location))
            {
                throw new BadRequest("field '" + at + "' repeats sku " + sku + " at location " + location
                    + ": each (sku, location) may appear once per reservation");
            }
            lines.add(new ReservationLine(sku, location, quantity));
        }
        final int ttlSeconds = node.has("ttlSeconds") ? (int)requireLong(node, "ttlSeconds", "ttlSeconds",
            Limits.TTL_SECONDS_MIN, Limits.TTL_SECONDS_MAX) : Limits.TTL_SECONDS_DEFAULT;
        String correlationId = bodyCorrelationId(node);
        if (correlationId == null)
        {
            correlationId = headerCorrelationId;
        }
        return new Commands.Reserve(reservationId, List.copyOf(lines), ttlSeconds, correlationId,
            fingerprint(lines, ttlSeconds));
    }

    /**
     * The body's optional {@code correlationId} field (any mutating route's body may carry one), or null if absent
     * or null.
     */
    static String bodyCorrelationId(final JsonNode node) throws BadRequest
    {
        return correlationId("field 'correlationId'",
            optionalText(node, "correlationId", Limits.CORRELATION_ID_CHARS_MAX));
    }

    /** True if {@code value} is a valid correlation id (1..128 printable ASCII chars, no spaces). */
    static boolean isCorrelationId(final String value)
    {
        if (value == null || value.isEmpty() || value.length() > Limits.CORRELATION_ID_CHARS_MAX)
        {
            return false;
        }
        for (int i = 0; i < value.length(); i++)
        {
            if (!Limits.isCorrelationIdChar(value.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /** The X-Correlation-Id header, if given: the same rule as the body field. */
    static String correlationIdHeader(final String value) throws BadRequest
    {
        return correlationId("header 'X-Correlation-Id'", value);
    }

    /**
     * A correlation id, wherever it comes from (body, header, binary field): 1..128 printable ASCII chars, no
     * spaces, so that it can be logged and traced as one token.
     */
    private static String correlationId(final String what, final String value) throws BadRequest
    {
        if (value == null)
        {
            return null;
        }
        if (value.isEmpty() || value.length() > Limits.CORRELATION_ID_CHARS_MAX)
        {
            throw new BadRequest(what + " must be 1.." + Limits.CORRELATION_ID_CHARS_MAX + " chars");
        }
        for (int i = 0; i < value.length(); i++)
        {
            if (!Limits.isCorrelationIdChar(value.charAt(i)))
            {
                throw new BadRequest(what + " must be printable ASCII without spaces");
            }
        }
        return value;
    }

    /** The reservation fingerprint, the same for every front door: see {@link Commands#reserveFingerprint}. */
    static String fingerprint(final List<ReservationLine> lines, final int ttlSeconds)
    {
        return Commands.reserveFingerprint(lines, ttlSeconds);
    }

    private static String requireString(final JsonNode node, final String field, final String path,
        final Pattern pattern, final String rule) throws BadRequest
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            throw new BadRequest("field '" + path + "' is required");
        }
        if (!value.isTextual())
        {
            throw new BadRequest("field '" + path + "' must be a string of " + rule);
        }
        final String s = value.textValue();
        if (!pattern.matcher(s).matches())
        {
            throw new BadRequest("field '" + path + "' must be " + rule);
        }
        return s;
    }

    private static long requireLong(final JsonNode node, final String field, final String path, final long min,
        final long max) throws BadRequest
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            throw new BadRequest("field '" + path + "' is required");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong())
        {
            throw new BadRequest("field '" + path + "' must be an integer in " + min + ".." + max);
        }
        final long v = value.longValue();
        if (v < min || v > max)
        {
            throw new BadRequest("field '" + path + "' must be in " + min + ".." + max + ", was " + v);
        }
        return v;
    }

    private static String optionalText(final JsonNode node, final String field, final int maxChars)
        throws BadRequest
    {
        final JsonNode value = node.get(field);
        if (value == null || value.isNull())
        {
            return null;
        }
        if (!value.isTextual())
        {
            throw new BadRequest("field '" + field + "' must be a string");
        }
        final String s = value.textValue();
        // Chars are Unicode code points, as JSON Schema's maxLength (the OpenAPI document) and the binary door count
        // them: an emoji is one, not the two UTF-16 units String.length() would count.
        if (s.length() > maxChars && s.codePointCount(0, s.length()) > maxChars)
        {
            throw new BadRequest("field '" + field + "' must be at most " + maxChars + " chars");
        }
        return s;
    }
}
