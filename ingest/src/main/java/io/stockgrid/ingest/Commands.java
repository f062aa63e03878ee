package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
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

    /**
     * A digest of what a reservation asks for: its lines in (sku, location) order, so a retry that lists them in
     * another order is the same request, and its ttl. The correlation id is left out, as it differs between
     * attempts. Every front door computes it here, so the same reservation sent through any of them is a retry.
     */
    public static String reserveFingerprint(final List<ReservationLine> lines, final int ttlSeconds)
    {
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
        final List<ReservationLine> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparing(ReservationLine::sku).thenComparing(ReservationLine::location));
        final StringBuilder canonical = new StringBuilder(lines.size() * 32);
        canonical.append(ttlSeconds);
        for (final ReservationLine line : sorted)
        {
            canonical.append('|').append(line.sku()).append('/').append(line.location()).append('/')
                .append(line.quantity());
        }
        final byte[] hash = digest.digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, 16);
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
