package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;

/**
 * The Strings of ASCII fields that repeat from message to message (SKUs, locations), kept in a fixed table so that a
 * field seen recently is answered with the String decoded the first time: no allocation, and its hash code already
 * cached when it becomes part of a key. Direct-mapped: a field's bytes pick one slot, whose String is returned if
 * it has the same characters and replaced otherwise, so the table never grows and a miss costs one decode, as without
 * it.
 * <p>
 * Not thread-safe: one per thread (the binary door keeps one per event loop).
 */
public final class AsciiInterner
{
    /** Slots by default: about 300 KB of Strings for keys of up to 32 characters. */
    public static final int DEFAULT_SLOTS = 4096;
    /** Fields longer than this are decoded, not interned (ids that repeat are short). */
    static final int MAX_INTERNED_LENGTH = 64;

    private final String[] strings;
    private final int mask;

    public AsciiInterner()
    {
        this(DEFAULT_SLOTS);
    }

    /** @param slots a power of two, 1..2^20. */
    public AsciiInterner(final int slots)
    {
        if (slots < 1 || slots > 1 << 20 || Integer.bitCount(slots) != 1)
        {
            throw new IllegalArgumentException("slots must be a power of two in 1..1048576, not " + slots);
        }
        this.strings = new String[slots];
        this.mask = slots - 1;
    }

    /** The ASCII bytes {@code buffer[offset, offset + length)} as a String; the same String as last time if cached. */
    public String intern(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > MAX_INTERNED_LENGTH)
        {
            return buffer.getStringWithoutLengthAscii(offset, length);
        }
        int hash = length;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int slot = (hash ^ hash >>> 16) & mask;
        final String cached = strings[slot];
        if (cached != null && sameAscii(cached, buffer, offset, length))
        {
            return cached;
        }
        final String decoded = buffer.getStringWithoutLengthAscii(offset, length);
        strings[slot] = decoded;
        return decoded;
    }

    private static boolean sameAscii(final String s, final DirectBuffer buffer, final int offset, final int length)
    {
        if (s.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (s.charAt(i) != (buffer.getByte(offset + i) & 0xFF))
            {
                return false;
            }
        }
        return true;
    }
}
