package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;

import java.util.ArrayList;
import java.util.Comparator;
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
     * tells a retry from a reuse of the same id for a different request. {@code createdBy} is the caller's API key id
     * (null without authentication): journaled, and kept on the reservation; not part of the fingerprint.
     */
    public record Reserve(String reservationId, List<ReservationLine> lines, int ttlSeconds, String correlationId,
        String fingerprint, String createdBy)
    {
        /** A reservation made without authentication (no caller). */
        public Reserve(final String reservationId, final List<ReservationLine> lines, final int ttlSeconds,
            final String correlationId, final String fingerprint)
        {
            this(reservationId, lines, ttlSeconds, correlationId, fingerprint, null);
        }
    }

    /**
     * A digest of what a reservation asks for: its lines in (sku, location) order, so a retry that lists them in
     * another order is the same request, and its ttl. The correlation id is left out, as it differs between
     * attempts. Every front door computes it here, so the same reservation sent through any of them is a retry.
     */
    public static String reserveFingerprint(final List<ReservationLine> lines, final int ttlSeconds)
    {
        // Two independent 64-bit hashes over a canonical form: 128 bits tell a retry from a different request
        // well enough (a collision needs the same id and a different body, and could only answer that one caller
        // with its own earlier answer). SHA-256 here cost a fifth of the HTTP door's CPU on this machine.
        List<ReservationLine> sorted = lines;
        if (lines.size() > 1)
        {
            sorted = new ArrayList<>(lines);
            sorted.sort(LINE_ORDER);
        }
        long h1 = FNV_OFFSET;
        long h2 = 0x9E3779B97F4A7C15L;
        h1 = mixLong(h1, ttlSeconds);
        h2 = mix2Long(h2, ttlSeconds);
        for (int i = 0; i < sorted.size(); i++) // indexed: no iterator per request
        {
            final ReservationLine line = sorted.get(i);
            h1 = mixString(mixString(h1, line.sku()), line.location());
            h2 = mix2String(mix2String(h2, line.sku()), line.location());
            h1 = mixLong(h1, line.quantity());
            h2 = mix2Long(h2, line.quantity());
        }
        final String hex1 = Long.toHexString(fmix64(h1));
        final String hex2 = Long.toHexString(fmix64(h2 ^ sorted.size()));
        return "0".repeat(16 - hex1.length()) + hex1 + "0".repeat(16 - hex2.length()) + hex2;
    }

    private static final Comparator<ReservationLine> LINE_ORDER =
        Comparator.comparing(ReservationLine::sku).thenComparing(ReservationLine::location);
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** FNV-1a over the string's chars, then a separator so that ("ab","c") and ("a","bc") differ. */
    private static long mixString(final long hash, final String s)
    {
        long h = hash;
        for (int i = 0; i < s.length(); i++)
        {
            h = (h ^ s.charAt(i)) * FNV_PRIME;
        }
        return (h ^ 0x1F) * FNV_PRIME;
    }

    private static long mixLong(final long hash, final long value)
    {
        long h = hash;
        for (int shift = 0; shift < 64; shift += 8)
        {
            h = (h ^ ((value >>> shift) & 0xFF)) * FNV_PRIME;
        }
        return h;
    }

    /** A second, independent multiply-rotate hash. */
    private static long mix2String(final long hash, final String s)
    {
        long h = hash;
        for (int i = 0; i < s.length(); i++)
        {
            h = Long.rotateLeft((h ^ s.charAt(i)) * 0xC2B2AE3D27D4EB4FL, 31);
        }
        return Long.rotateLeft((h ^ 0x1F) * 0xC2B2AE3D27D4EB4FL, 31);
    }

    private static long mix2Long(final long hash, final long value)
    {
        return Long.rotateLeft((hash ^ value) * 0x165667B19E3779F9L, 27) * 0x85EBCA77C2B2AE63L;
    }

    /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
    private static long fmix64(final long value)
    {
        long k = value;
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
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
