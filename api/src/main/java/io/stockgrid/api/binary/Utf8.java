package io.stockgrid.api.binary;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Strict UTF-8 checks and writes over Agrona buffers, without allocating. */
final class Utf8
{
    private Utf8()
    {
    }

    /**
     * The number of Unicode code points the bytes decode to, or -1 if they are not well-formed UTF-8 (overlong forms,
     * surrogates, code points above U+10FFFF, and truncated sequences are refused). A text limit in "chars" counts
     * these, on both doors and in the OpenAPI document ({@code maxLength}): an emoji is one char, not two UTF-16 units.
     */
    static int codePointCount(final DirectBuffer buffer, final int index, final int length)
    {
        int chars = 0;
        int i = index;
        final int end = index + length;
        while (i < end)
        {
            final int b0 = buffer.getByte(i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                chars++;
                continue;
            }
            final int more;
            final int min;
            int cp;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                more = 1;
                min = 0x80;
                cp = b0 & 0x1F;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                more = 2;
                min = 0x800;
                cp = b0 & 0x0F;
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                more = 3;
                min = 0x10000;
                cp = b0 & 0x07;
            }
            else
            {
                return -1;
            }
            if (i + more >= end)
            {
                return -1;
            }
            for (int k = 1; k <= more; k++)
            {
                final int b = buffer.getByte(i + k) & 0xFF;
                if ((b & 0xC0) != 0x80)
                {
                    return -1;
                }
                cp = (cp << 6) | (b & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            {
                return -1;
            }
            chars++;
            i += more + 1;
        }
        return chars;
    }

    /** The UTF-8 length of a char sequence; an unpaired surrogate counts as the one byte of '?'. */
    static int encodedLength(final CharSequence value)
    {
        int bytes = 0;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                bytes++;
            }
            else if (c < 0x800)
            {
                bytes += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                bytes += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                bytes++;
            }
            else
            {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Writes the chars of {@code value} as UTF-8 at {@code index}, stopping before {@code maxBytes} would be passed
     * (never splitting a character); returns the number of bytes written.
     */
    static int put(final MutableDirectBuffer buffer, final int index, final CharSequence value, final int maxBytes)
    {
        int at = index;
        final int end = index + maxBytes;
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                if (at + 1 > end)
                {
                    break;
                }
                buffer.putByte(at++, (byte)c);
            }
            else if (c < 0x800)
            {
                if (at + 2 > end)
                {
                    break;
                }
                buffer.putByte(at++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                if (at + 4 > end)
                {
                    break;
                }
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                buffer.putByte(at++, (byte)(0xF0 | (cp >> 18)));
                buffer.putByte(at++, (byte)(0x80 | ((cp >> 12) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | ((cp >> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (cp & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                if (at + 1 > end)
                {
                    break;
                }
                buffer.putByte(at++, (byte)'?');
            }
            else
            {
                if (at + 3 > end)
                {
                    break;
                }
                buffer.putByte(at++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(at++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return at - index;
    }
}
