package io.stockgrid.grid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stock record's hold table against a plain map, seeded: random adds, replacements and removals over a small and a
 * large id space (the index grows and shrinks, removals shift entries back, the id bytes compact, the table empties
 * and starts over). After every step each id reads what the map says, the size matches, and the earliest expiry is
 * the map's minimum.
 */
class HoldTableTest
{
    private record Held(long quantity, long expiresAtMs, long attempt)
    {
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89})
    void shouldHoldExactlyWhatTheModelHolds(final long seed)
    {
        final Random random = new Random(seed);
        final HoldTable table = new HoldTable();
        final Map<String, Held> model = new HashMap<>();
        for (int step = 0; step < 20_000; step++)
        {
            final int ids = step % 5_000 < 2_500 ? 40 : 3_000;
            final String id = "order-" + random.nextInt(ids) + (random.nextBoolean() ? "" : "-x");
            if (random.nextInt(3) == 0)
            {
                final int no = table.find(id);
                if (no >= 0)
                {
                    table.remove(no);
                }
                assertThat(no >= 0).as("seed %d step %d: %s was held", seed, step, id)
                    .isEqualTo(model.remove(id) != null);
            }
            else
            {
                final Held held = new Held(1 + random.nextInt(5), random.nextInt(1_000), random.nextLong());
                final int existing = table.find(id);
                if (existing >= 0)
                {
                    table.remove(existing);
                }
                final int no = table.add(id, held.quantity(), held.expiresAtMs(), held.attempt());
                assertThat(table.id(no)).isEqualTo(id);
                model.put(id, held);
            }
            assertThat(table.size()).as("seed %d step %d: size", seed, step).isEqualTo(model.size());
            final long earliest = model.values().stream().mapToLong(Held::expiresAtMs).min().orElse(Long.MAX_VALUE);
            assertThat(table.earliestExpiryMs()).as("seed %d step %d: earliest", seed, step).isEqualTo(earliest);
            if (step % 97 == 0)
            {
                int live = 0;
                for (int no = 0; no < table.limit(); no++)
                {
                    if (table.live(no))
                    {
                        live++;
                        final Held expected = model.get(table.id(no));
                        assertThat(expected).as("seed %d step %d: %s", seed, step, table.id(no)).isNotNull();
                        assertThat(new Held(table.quantity(no), table.expiresAtMs(no), table.attempt(no)))
                            .isEqualTo(expected);
                        assertThat(table.find(table.id(no))).isEqualTo(no);
                    }
                }
                assertThat(live).isEqualTo(model.size());
            }
        }
    }

    @Test
    void shouldRefuseAnIdOutsideLatin1()
    {
        assertThatThrownBy(() -> new HoldTable().add("order-\u20ac", 1, 1, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above 255");
    }
}
