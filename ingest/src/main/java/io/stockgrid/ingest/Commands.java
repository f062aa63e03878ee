package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;

import java.util.List;

/** The mutating commands the ingest accepts, validated before they get here. */
public final class Commands
{
    private Commands()
    {
    }

    /** An absolute on-hand snapshot from an ERP/WMS. {@code safetyStock} is -1 to keep the current one. */
    public record SetStock(String sku, String location, long onHand, long safetyStock)
    {
    }

    /** A relative stock change, deduplicated by {@code eventId}. */
    public record Adjust(String sku, String location, String eventId, long delta, String reason)
    {
    }

    /** A customer return, deduplicated by {@code returnId}. */
    public record Return(String returnId, String sku, String location, long quantity, ReturnDisposition disposition)
    {
    }

    /**
     * Hold every line or none. {@code fingerprint} is a digest of the body (lines and ttl, not the correlation id) that
     * tells a retry from a reuse of the same id for a different request.
     */
    public record Reserve(String reservationId, List<ReservationLine> lines, int ttlSeconds, String correlationId,
        String fingerprint)
    {
    }

    /** Commit or release a held reservation. */
    public record Settle(String reservationId, SettleAction action)
    {
    }

    public enum SettleAction
    {
        COMMIT,
        RELEASE
    }
}
