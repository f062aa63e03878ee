package io.stockgrid.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.api.SkuAvailability;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Renders the v1 JSON objects. Times are ISO-8601 UTC with millisecond precision, e.g. 2026-11-26T19:15:08.000Z. */
final class JsonResponses
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);

    private JsonResponses()
    {
    }

    static byte[] availability(final Availability a)
    {
        return bytes(availabilityNode(a));
    }

    static byte[] skuAvailability(final SkuAvailability s)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("sku", s.sku());
        node.put("available", s.available());
        final ArrayNode locations = node.putArray("locations");
        for (final Availability a : s.locations())
        {
            locations.add(availabilityNode(a));
        }
        return bytes(node);
    }

    static byte[] reservation(final Reservation r)
    {
        return reservation(r, null);
    }

    /** @param createdBy the API key id that created it, shown by GET; null (left out) when unknown or without keys. */
    static byte[] reservation(final Reservation r, final String createdBy)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("reservationId", r.reservationId());
        node.put("status", r.status().name());
        node.put("expiresAt", TIME.format(r.expiresAt()));
        if (createdBy != null)
        {
            node.put("createdBy", createdBy);
        }
        final ArrayNode lines = node.putArray("lines");
        for (final ReservationLine line : r.lines())
        {
            final ObjectNode l = lines.addObject();
            l.put("sku", line.sku());
            l.put("location", line.location());
            l.put("quantity", line.quantity());
        }
        return bytes(node);
    }

    /** The 409 answer of a reservation that could not be held: which lines were short, and by how much. */
    static byte[] rejected(final Reservation r)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("reservationId", r.reservationId());
        node.put("status", "REJECTED");
        node.put("error", ErrorCode.INSUFFICIENT_STOCK.name());
        node.put("message", r.shortLines().size() + " of " + r.lines().size() + " lines could not be held");
        final ArrayNode lines = node.putArray("lines");
        for (final ShortLine line : r.shortLines())
        {
            final ObjectNode l = lines.addObject();
            l.put("sku", line.sku());
            l.put("location", line.location());
            l.put("quantity", line.quantity());
            l.put("available", line.available());
        }
        return bytes(node);
    }

    static byte[] error(final ErrorCode code, final String message)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("error", code.name());
        node.put("message", message);
        return bytes(node);
    }

    /** RESERVATION_NOT_HELD with the reservation's status beside the message (from {@code Refusal}). */
    static byte[] notHeld(final String message, final String status)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("error", ErrorCode.RESERVATION_NOT_HELD.name());
        node.put("message", message);
        node.put("status", status);
        return bytes(node);
    }

    static byte[] health(final String status)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("status", status);
        return bytes(node);
    }

    private static ObjectNode availabilityNode(final Availability a)
    {
        final ObjectNode node = JsonRequests.MAPPER.createObjectNode();
        node.put("sku", a.sku());
        node.put("location", a.location());
        node.put("onHand", a.onHand());
        node.put("safetyStock", a.safetyStock());
        node.put("reserved", a.reserved());
        node.put("available", a.available());
        return node;
    }

    private static byte[] bytes(final ObjectNode node)
    {
        try
        {
            return JsonRequests.MAPPER.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
