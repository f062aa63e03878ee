package io.stockgrid.api;

import java.util.regex.Pattern;

/**
 * The bounds of the v1 contract, shared by every front door and client. A value outside them is a bad request
 * that changes nothing. The HTTP door checks strings with the patterns; the binary door checks bytes with the
 * character rules ({@link #isKeyPartChar}, {@link #isRequestIdChar}, {@link #isCorrelationIdChar}), which accept
 * exactly the same characters, and both refuse with the same rule texts.
 */
public final class Limits
{
    public static final int KEY_PART_CHARS_MAX = 64;
    public static final int REQUEST_ID_CHARS_MAX = 128;
    /** sku and location: 1..64 chars of [A-Za-z0-9._-]. */
    public static final Pattern KEY_PART = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** reservationId, eventId, returnId: 1..128 chars of [A-Za-z0-9._:-]. */
    public static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final String KEY_PART_RULE = "1..64 chars of [A-Za-z0-9._-]";
    public static final String REQUEST_ID_RULE = "1..128 chars of [A-Za-z0-9._:-]";

    public static final long LINE_QUANTITY_MIN = 1;
    public static final long LINE_QUANTITY_MAX = 1_000_000;
    public static final long STOCK_MIN = 0;
    public static final long STOCK_MAX = 1_000_000_000;
    /** An adjustment's delta is bounded by the stock range in both directions. */
    public static final long DELTA_ABS_MAX = STOCK_MAX;
    public static final int LINES_MIN = 1;
    public static final int LINES_MAX = 100;
    public static final int TTL_SECONDS_MIN = 1;
    public static final int TTL_SECONDS_MAX = 86_400;
    public static final int TTL_SECONDS_DEFAULT = 900;
    public static final int BODY_BYTES_MAX = 64 * 1024;
    public static final int REASON_CHARS_MAX = 256;
    public static final int CORRELATION_ID_CHARS_MAX = 128;
    /** Longest API key secret the binary HELLO carries (printable ASCII without spaces, as a correlation id). */
    public static final int SECRET_CHARS_MAX = 255;

    private Limits()
    {
    }

    public static boolean isKeyPart(final String s)
    {
        return s != null && KEY_PART.matcher(s).matches();
    }

    public static boolean isRequestId(final String s)
    {
        return s != null && REQUEST_ID.matcher(s).matches();
    }

    /** A character of a sku or location: [A-Za-z0-9._-]. */
    public static boolean isKeyPartChar(final int c)
    {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-';
    }

    /** A character of a reservationId, eventId or returnId: [A-Za-z0-9._:-]. */
    public static boolean isRequestIdChar(final int c)
    {
        return isKeyPartChar(c) || c == ':';
    }

    /** A character of a correlation id as a header or binary field carries it: printable ASCII, no space. */
    public static boolean isCorrelationIdChar(final int c)
    {
        return c >= 0x21 && c <= 0x7e;
    }
}
