package io.stockgrid.grid;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The partition store's table, its expiry wheel and its retention against a plain model, seeded: random puts (the
 * indexed value moving forwards, backwards, out of the index and back), removals, retention deadlines, and scans at
 * random times, far ahead and behind. Every scan must list exactly the live keys whose indexed value is at most the
 * scan's, and the published earliest time must never be later than the earliest such value.
 */
class StoreTableTest
{
    /** A record for the test: only its indexed value matters. */
    private record Rec(long dueMs)
    {
    }

    private static final StoreTable.Spec SPEC = new StoreTable.Spec("t",
        Map.of("dueMs", r -> ((Rec)r).dueMs()), "dueMs");

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946})
    void shouldListExactlyTheDueLiveKeysAsTheModelDoes(final long seed)
    {
        final Random random = new Random(seed);
        final AtomicLongArray published = new AtomicLongArray(1);
        published.set(0, Long.MAX_VALUE);
        final StoreTable table = new StoreTable(SPEC, published, 0);
        final Map<String, long[]> model = new HashMap<>(); // key -> {dueMs, retainUntilMs}
        final StoreTable.Entry entry = new StoreTable.Entry();
        long wallMs = 1_000_000;
        for (int step = 0; step < 3_000; step++)
        {
            final String key = "k" + random.nextInt(60);
            final int op = random.nextInt(10);
            if (op < 5)
            {
                // A put: due somewhere around now, or not due at all.
                final long due = random.nextInt(8) == 0 ? Long.MAX_VALUE : wallMs - 5_000 + random.nextInt(20_000);
                final boolean withTtl = random.nextBoolean();
                entry.at(table, key, wallMs);
                if (withTtl)
                {
                    final long ttlMs = 1 + random.nextInt(30_000);
                    entry.setValue(new Rec(due), ttlMs, TimeUnit.MILLISECONDS);
                    model.put(key, new long[] {due, wallMs + ttlMs});
                }
                else
                {
                    final long[] before = model.get(key);
                    final boolean live = before != null && before[1] > wallMs;
                    entry.setValue(new Rec(due));
                    model.put(key, new long[] {due, live ? before[1] : Long.MAX_VALUE});
                }
            }
            else if (op < 7)
            {
                entry.at(table, key, wallMs).setValue(null);
                model.remove(key);
            }
            else if (op < 8)
            {
                wallMs += random.nextInt(3_000);
            }
            else
            {
                // A scan, mostly near now, sometimes far ahead or behind.
                final long at = switch (random.nextInt(6))
                {
                    case 0 -> wallMs + 1_000_000;
                    case 1 -> wallMs - 1_000_000;
                    default -> wallMs - 3_000 + random.nextInt(10_000);
                };
                final ArrayList<Object> listed = new ArrayList<>();
                table.keysAtMost("dueMs", at, wallMs, listed);
                final Set<Object> expected = new HashSet<>();
                long earliest = Long.MAX_VALUE;
                for (final Map.Entry<String, long[]> e : model.entrySet())
                {
                    if (e.getValue()[1] > wallMs)
                    {
                        earliest = Math.min(earliest, e.getValue()[0]);
                        if (e.getValue()[0] <= at)
                        {
                            expected.add(e.getKey());
                        }
                    }
                }
                assertThat(new HashSet<>(listed)).as("seed %d step %d: due by %d", seed, step, at)
                    .isEqualTo(expected);
                assertThat(listed).as("seed %d step %d: each key once", seed, step).doesNotHaveDuplicates();
                assertThat(published.get(0)).as("seed %d step %d: published earliest", seed, step)
                    .isLessThanOrEqualTo(earliest);
            }
        }
    }
}
