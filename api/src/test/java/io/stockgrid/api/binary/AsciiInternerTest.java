package io.stockgrid.api.binary;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cache of decoded key parts: same characters give the same String, and it never answers another field's. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AsciiInternerTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);

    private int put(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(10, bytes);
        return bytes.length;
    }

    @Test
    void shouldAnswerTheSameStringForTheSameCharactersWithoutAllocating()
    {
        final AsciiInterner interner = new AsciiInterner(64);
        final String first = interner.intern(buffer, 10, put("SKU-00042"));
        assertThat(first).isEqualTo("SKU-00042");
        final long before = allocatedBytes();
        String again = null;
        for (int i = 0; i < 1_000; i++)
        {
            again = interner.intern(buffer, 10, 9);
        }
        final long allocated = allocatedBytes() - before;
        assertThat(again).isSameAs(first);
        assertThat(allocated).as("bytes allocated by 1,000 hits").isLessThan(1_000);
    }

    @Test
    void shouldNeverAnswerAnotherFieldsStringWhenSlotsCollide()
    {
        final AsciiInterner interner = new AsciiInterner(1); // every field in one slot
        for (int round = 0; round < 3; round++)
        {
            for (final String text : new String[] {"WH-1", "WH-2", "WH-10", "wh-1", "A", "SKU-WH-1"})
            {
                assertThat(interner.intern(buffer, 10, put(text))).isEqualTo(text);
            }
        }
        // Same length, same hash in a one-slot table, different bytes.
        assertThat(interner.intern(buffer, 10, put("Aa"))).isEqualTo("Aa");
        assertThat(interner.intern(buffer, 10, put("BB"))).isEqualTo("BB");
    }

    @Test
    void shouldDecodeLongFieldsWithoutKeepingThem()
    {
        final AsciiInterner interner = new AsciiInterner(64);
        final String text = "L".repeat(AsciiInterner.MAX_INTERNED_LENGTH + 1);
        final String first = interner.intern(buffer, 10, put(text));
        assertThat(first).isEqualTo(text);
        assertThat(interner.intern(buffer, 10, text.length())).isEqualTo(text).isNotSameAs(first);
    }

    @Test
    void shouldRefuseASlotCountThatIsNotAPowerOfTwo()
    {
        assertThatThrownBy(() -> new AsciiInterner(0)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("power of two");
        assertThatThrownBy(() -> new AsciiInterner(100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AsciiInterner(1 << 21)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
