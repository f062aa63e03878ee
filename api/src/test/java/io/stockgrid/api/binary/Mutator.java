package io.stockgrid.api.binary;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Damages a message the ways a broken or hostile peer would: 1..4 mutations per message, chosen at random. */
final class Mutator
{
    private static final int[] INTERESTING_16 = {0, 1, 2, 100, 101, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF};
    private static final long[] INTERESTING_64 = {0, 1, -1, 1_000_000, 1_000_001, 1_000_000_000, 1_000_000_001,
        Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE};

    private Mutator()
    {
    }

    static byte[] mutate(final byte[] original, final SplittableRandom random)
    {
        byte[] m = original.clone();
        final int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++)
        {
            m = mutateOnce(m, random);
        }
        return m;
    }

    private static byte[] mutateOnce(final byte[] m, final SplittableRandom random)
    {
        if (m.length == 0)
        {
            return new byte[] {(byte)random.nextInt(256)};
        }
        switch (random.nextInt(10))
        {
            case 0 ->
            {
                final int at = random.nextInt(m.length);
                m[at] ^= (byte)(1 << random.nextInt(8));
                return m;
            }
            case 1 ->
            {
                m[random.nextInt(m.length)] = (byte)random.nextInt(256);
                return m;
            }
            case 2 ->
            {
                return Arrays.copyOf(m, random.nextInt(m.length));
            }
            case 3 ->
            {
                final byte[] longer = Arrays.copyOf(m, m.length + 1 + random.nextInt(16));
                for (int i = m.length; i < longer.length; i++)
                {
                    longer[i] = (byte)random.nextInt(256);
                }
                return longer;
            }
            case 4 ->
            {
                // A length or count field lies: a small integer somewhere becomes an interesting one.
                if (m.length < 2)
                {
                    return m;
                }
                final int at = random.nextInt(m.length - 1);
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN)
                    .putShort(at, (short)INTERESTING_16[random.nextInt(INTERESTING_16.length)]);
                return m;
            }
            case 5 ->
            {
                // A one-byte string length lies.
                m[random.nextInt(m.length)] = (byte)INTERESTING_16[random.nextInt(INTERESTING_16.length)];
                return m;
            }
            case 6 ->
            {
                if (m.length < 8)
                {
                    return m;
                }
                final int at = random.nextInt(m.length - 7);
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(at, INTERESTING_64[random.nextInt(INTERESTING_64.length)]);
                return m;
            }
            case 7 ->
            {
                // A random or neighbouring message type.
                if (m.length >= MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET + 2)
                {
                    final int type = random.nextBoolean() ? random.nextInt(25) : random.nextInt(0x10000);
                    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN)
                        .putShort(MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET, (short)type);
                }
                return m;
            }
            case 8 ->
            {
                // Cut a chunk out of the middle.
                final int from = random.nextInt(m.length);
                final int to = Math.min(m.length, from + 1 + random.nextInt(8));
                final byte[] shorter = new byte[m.length - (to - from)];
                System.arraycopy(m, 0, shorter, 0, from);
                System.arraycopy(m, to, shorter, from, m.length - to);
                return shorter;
            }
            default ->
            {
                // Duplicate a chunk (a repeated line, a doubled string).
                final int from = random.nextInt(m.length);
                final int length = Math.min(m.length - from, 1 + random.nextInt(24));
                final byte[] longer = new byte[m.length + length];
                System.arraycopy(m, 0, longer, 0, from + length);
                System.arraycopy(m, from, longer, from + length, m.length - from);
                return longer;
            }
        }
    }
}
