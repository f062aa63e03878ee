package io.stockgrid.node;

import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.MessageHeaderDescriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Damages whole frames (length field included) the ways a broken or hostile peer would, 1..4 mutations each, chosen
 * by a seeded random source: bit flips, byte overwrites, truncation, junk appended, a lying length field, lying
 * counts and string lengths, a random message type, a chunk cut out or repeated, two frames spliced together.
 */
final class FrameMutator
{
    private static final int[] INTERESTING_16 = {0, 1, 2, 15, 16, 100, 101, 127, 128, 255, 256, 0x7FFF, 0xFFFF};
    private static final int[] INTERESTING_32 = {0, 1, 15, 16, 17, 100, 65_535, 65_536, 65_537, Integer.MAX_VALUE,
        -1, Integer.MIN_VALUE};

    private FrameMutator()
    {
    }

    static byte[] mutate(final List<byte[]> corpus, final SplittableRandom random)
    {
        byte[] m = corpus.get(random.nextInt(corpus.size())).clone();
        final int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++)
        {
            m = mutateOnce(m, corpus, random);
        }
        return m;
    }

    private static byte[] mutateOnce(final byte[] m, final List<byte[]> corpus, final SplittableRandom random)
    {
        if (m.length < FrameDescriptor.LENGTH_FIELD_LENGTH + MessageHeaderDescriptor.HEADER_LENGTH)
        {
            return Arrays.copyOf(m, m.length + 1 + random.nextInt(8));
        }
        final ByteBuffer bytes = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        switch (random.nextInt(11))
        {
            case 0 -> m[random.nextInt(m.length)] ^= (byte)(1 << random.nextInt(8));
            case 1 -> m[random.nextInt(m.length)] = (byte)random.nextInt(256);
            case 2 ->
            {
                return Arrays.copyOf(m, random.nextInt(m.length));
            }
            case 3 ->
            {
                final byte[] longer = Arrays.copyOf(m, m.length + 1 + random.nextInt(32));
                for (int i = m.length; i < longer.length; i++)
                {
                    longer[i] = (byte)random.nextInt(256);
                }
                return longer;
            }
            case 4 -> bytes.putInt(0, random.nextBoolean() ?
                INTERESTING_32[random.nextInt(INTERESTING_32.length)] : bytes.getInt(0) + random.nextInt(-8, 9));
            case 5 -> bytes.putShort(random.nextInt(m.length - 1),
                (short)INTERESTING_16[random.nextInt(INTERESTING_16.length)]);
            case 6 -> m[random.nextInt(m.length)] = (byte)INTERESTING_16[random.nextInt(INTERESTING_16.length)];
            case 7 -> bytes.putShort(FrameDescriptor.LENGTH_FIELD_LENGTH + MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET,
                (short)(random.nextBoolean() ? random.nextInt(25) : random.nextInt(0x10000)));
            case 8 ->
            {
                final int from = random.nextInt(m.length);
                final int to = Math.min(m.length, from + 1 + random.nextInt(8));
                final byte[] shorter = new byte[m.length - (to - from)];
                System.arraycopy(m, 0, shorter, 0, from);
                System.arraycopy(m, to, shorter, from, m.length - to);
                return shorter;
            }
            case 9 ->
            {
                final int from = random.nextInt(m.length);
                final int length = Math.min(m.length - from, 1 + random.nextInt(24));
                final byte[] longer = new byte[m.length + length];
                System.arraycopy(m, 0, longer, 0, from + length);
                System.arraycopy(m, from, longer, from + length, m.length - from);
                return longer;
            }
            default ->
            {
                final byte[] other = corpus.get(random.nextInt(corpus.size()));
                final int cut = random.nextInt(m.length + 1);
                final byte[] spliced = Arrays.copyOf(m, cut + other.length);
                System.arraycopy(other, 0, spliced, cut, other.length);
                return spliced;
            }
        }
        return m;
    }
}
