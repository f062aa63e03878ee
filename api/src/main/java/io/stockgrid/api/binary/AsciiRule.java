package io.stockgrid.api.binary;

import io.stockgrid.api.Limits;

/** The character classes and lengths of the ASCII fields, as {@link Limits} defines them. */
enum AsciiRule
{
    KEY_PART(1, Limits.KEY_PART_CHARS_MAX, Limits.KEY_PART_RULE),
    REQUEST_ID(1, Limits.REQUEST_ID_CHARS_MAX, Limits.REQUEST_ID_RULE),
    /** Optional: length 0 means absent. */
    CORRELATION_ID(0, Limits.CORRELATION_ID_CHARS_MAX,
        "0.." + Limits.CORRELATION_ID_CHARS_MAX + " chars of printable ASCII without spaces"),
    /** Optional: length 0 means no key. The secret's chars are never echoed in a violation. */
    SECRET(0, Limits.SECRET_CHARS_MAX, "0.." + Limits.SECRET_CHARS_MAX + " chars of printable ASCII without spaces");

    final int minChars;
    final int maxChars;
    final String text;

    AsciiRule(final int minChars, final int maxChars, final String text)
    {
        this.minChars = minChars;
        this.maxChars = maxChars;
        this.text = text;
    }

    boolean accepts(final int c)
    {
        if (this == KEY_PART)
        {
            return Limits.isKeyPartChar(c);
        }
        if (this == REQUEST_ID)
        {
            return Limits.isRequestIdChar(c);
        }
        return Limits.isCorrelationIdChar(c); // CORRELATION_ID and SECRET share the class
    }
}
