package io.stockgrid.api.binary;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of every decoder: valid messages of every type, damaged by bit flips, byte overwrites,
 * truncation, extension with junk, lying counts and lengths, and random message types, are fed to the decoder of the
 * type the (damaged) header names. The decoder must never throw and never read outside the message (the buffer is
 * exactly the message, and Agrona's bounds checks are on), and whatever it accepts must encode back to exactly the
 * same bytes: there is one encoding per message, so an accepted mutation is a genuinely valid message.
 * The seed is printed on failure; set -Dfuzz.seed and -Dfuzz.cases to reproduce or run longer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DecoderFuzzTest
{
    private static final long SEED = Long.getLong("fuzz.seed", 0x5eed_5709_c6a1dL);
    private static final int CASES = Integer.getInteger("fuzz.cases", 20_000);

    @Test
    void shouldNeverThrowAndOnlyAcceptCanonicalMessages()
    {
        final List<byte[]> corpus = SampleMessages.all();
        final SplittableRandom random = new SplittableRandom(SEED);
        int accepted = 0;
        for (int n = 0; n < CASES; n++)
        {
            final byte[] original = corpus.get(random.nextInt(corpus.size()));
            final byte[] mutated = Mutator.mutate(original, random);
            final UnsafeBuffer buffer = new UnsafeBuffer(mutated);
            final int type = mutated.length >= MessageHeaderDescriptor.HEADER_LENGTH ?
                new MessageHeaderDecoder().wrap(buffer, 0).messageType() : MessageType.RESERVE;
            final MessageDecoder decoder = SampleMessages.decoderFor(type);
            if (decoder == null)
            {
                continue;
            }
            try
            {
                SampleMessages.wrap(decoder, buffer, 0, mutated.length);
                if (decoder.validate())
                {
                    accepted++;
                    final byte[] again = SampleMessages.reencode(decoder);
                    if (!Arrays.equals(again, mutated))
                    {
                        fail("case " + n + " (seed " + SEED + "): accepted a non-canonical " + MessageType.name(type)
                            + "\n  in:  " + hex(mutated) + "\n  out: " + hex(again));
                    }
                }
                else
                {
                    assertThat(decoder.violation()).as("case %d (seed %d)", n, SEED).isNotBlank();
                }
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("case " + n + " (seed " + SEED + "): decoder threw on " + hex(mutated), ex);
            }
        }
        // Some mutations land on values that are still valid (a quantity bit, a request id): they must exist, or
        // the mutator only ever produced garbage and tested little.
        assertThat(accepted).isGreaterThan(CASES / 50);
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (final byte b : bytes)
        {
            sb.append(String.format("%02x ", b));
        }
        return sb.toString();
    }
}
