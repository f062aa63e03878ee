package io.stockgrid.grid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The partition store's tables (objects and the byte arena), their expiry wheel and retention against a plain model,
 * seeded: random puts (the indexed value moving forwards, backwards, out of the index and back), removals, retention
 * deadlines, reads, and scans at random times, far ahead and behind. Every read must return what the model holds,
 * every scan must list exactly the live keys whose indexed value is at most the scan's, and the published earliest
 * time must never be later than the earliest such value.
 */
class StoreTableTest
{
    /** A record for the test: only its indexed value matters. */
    private record Rec(long dueMs)
    {
    }

    /** A record's bytes: its due time, then padding of {@code pad} bytes (to fill the arena's chunks). */
    private static final StoreTable.Codec CODEC = new StoreTable.Codec()
    {
        /** Longer than any record, with junk after each: a table must copy only the encoded length. */
        private final byte[] buffer = new byte[64];

        @Override
        public int encode(final Object value)
        {
            final Rec rec = (Rec)value;
            java.util.Arrays.fill(buffer, (byte)0x5a);
            java.nio.ByteBuffer.wrap(buffer).putLong(rec.dueMs());
            return 8 + (int)Math.floorMod(rec.dueMs(), 7);
        }

        @Override
        public byte[] encoded()
        {
            return buffer;
        }

        @Override
        public Object decode(final byte[] bytes, final int offset, final int length)
        {
            assertThat(length).isEqualTo(8 + (int)Math.floorMod(java.nio.ByteBuffer.wrap(bytes, offset, 8).getLong(), 7));
            return new Rec(java.nio.ByteBuffer.wrap(bytes, offset, 8).getLong());
        }
    };

    private static final long[] SEEDS = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181,
        6765, 10946};

    static Stream<Arguments> runs()
    {
        return Stream.of(false, true).flatMap(compact -> Stream.of(60, 5_000).flatMap(keys ->
            LongStream.of(SEEDS).mapToObj(seed -> Arguments.of(compact ? "arena" : "objects", keys, seed))));
    }

    private static StoreTable table(final String kind, final AtomicLongArray published)
    {
        return StoreTable.of(new StoreTable.Spec("t", Map.of("dueMs", r -> ((Rec)r).dueMs()), "dueMs",
            kind.equals("arena")), CODEC, published, 0);
    }

    @ParameterizedTest(name = "{0}, {1} keys, seed {2}")
    @MethodSource("runs")
    void shouldListExactlyTheDueLiveKeysAsTheModelDoes(final String kind, final int keys, final long seed)
    {
        final Random random = new Random(seed);
        final AtomicLongArray published = new AtomicLongArray(1);
        published.set(0, Long.MAX_VALUE);
        final StoreTable table = table(kind, published);
        final Map<String, long[]> model = new HashMap<>(); // key -> {dueMs, retainUntilMs}
        final StoreTable.Entry entry = new StoreTable.Entry();
        long wallMs = 1_000_000;
        for (int step = 0; step < 3_000; step++)
        {
            final String key = "k" + random.nextInt(keys);
            final int op = random.nextInt(11);
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
            else if (op < 9)
            {
                final long[] expected = model.get(key);
                final Object read = table.get(key, wallMs);
                if (expected == null || expected[1] <= wallMs)
                {
                    assertThat(read).as("seed %d step %d: %s is gone", seed, step, key).isNull();
                    model.remove(key);
                }
                else
                {
                    assertThat(read).as("seed %d step %d: %s", seed, step, key).isEqualTo(new Rec(expected[0]));
                    assertThat(table.lastRetainUntilMs()).isEqualTo(expected[1]);
                }
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
                final int[] live = {0};
                final int atStep = step;
                table.forEachLive(wallMs, (k, v, r) ->
                {
                    live[0]++;
                    assertThat(model.get((String)k)).as("seed %d step %d: %s", seed, atStep, k).isNotNull();
                    assertThat(v).isEqualTo(new Rec(model.get((String)k)[0]));
                    assertThat(r).isEqualTo(model.get((String)k)[1]);
                });
                final long now = wallMs;
                model.values().removeIf(m -> m[1] <= now);
                assertThat(live[0]).as("seed %d step %d: live records", seed, step).isEqualTo(model.size());
                assertThat(table.size()).isEqualTo(model.size());
            }
        }
    }

    @Test
    void shouldKeepASmallArenaSmall()
    {
        // Every partition has a reservations table: one holding a handful of records must cost a few KiB, not a
        // chunk of a MiB (271 of those once ran a test node with a 512 MiB heap out of memory).
        final ArenaTable table = (ArenaTable)table("arena", null);
        final StoreTable.Entry entry = new StoreTable.Entry();
        for (int i = 0; i < 10; i++)
        {
            entry.at(table, "order-" + i, 0).setValue(new Rec(i));
        }
        assertThat(table.chunkBytes()).isLessThanOrEqualTo(ArenaTable.FIRST_CHUNK_BYTES);
        for (int i = 0; i < 100_000; i++)
        {
            entry.at(table, "order-" + (i % 10), 0).setValue(new Rec(i));
        }
        assertThat(table.chunkBytes()).as("rewritten 100,000 times, still ten records")
            .isLessThan(4 * ArenaTable.GARBAGE_SLACK_BYTES);
    }

    @Test
    void shouldRewriteASameLengthRecordInPlaceAndAppendAnotherLength()
    {
        final ArenaTable table = (ArenaTable)table("arena", null);
        final StoreTable.Entry entry = new StoreTable.Entry();
        entry.at(table, "r-1", 0).setValue(new Rec(7)); // 8 bytes
        final long used = table.usedBytes();
        entry.at(table, "r-1", 0).setValue(new Rec(14)); // 8 bytes again: over the old ones
        assertThat(table.usedBytes()).as("a same-length rewrite takes no new space").isEqualTo(used);
        assertThat(table.get("r-1", 0)).isEqualTo(new Rec(14));
        entry.at(table, "r-1", 0).setValue(new Rec(15)); // 9 bytes: appended, the old bytes become garbage
        assertThat(table.usedBytes()).isGreaterThan(used);
        assertThat(table.liveBytes()).isEqualTo(used + 1);
        assertThat(table.get("r-1", 0)).isEqualTo(new Rec(15));
    }

    @Test
    void shouldKeepEveryRecordThroughTheArenasCompactions()
    {
        final ArenaTable table = (ArenaTable)table("arena", null);
        final Map<String, Long> model = new HashMap<>();
        final Random random = new Random(42);
        final StoreTable.Entry entry = new StoreTable.Entry();
        // About 30 MB of writes over 2,000 keys: the garbage passes the compaction threshold several times.
        for (int i = 0; i < 2_000_000; i++)
        {
            final String key = "order-" + random.nextInt(2_000);
            final long due = random.nextLong();
            entry.at(table, key, 0).setValue(new Rec(due));
            model.put(key, due);
            if (random.nextInt(50) == 0)
            {
                final String gone = "order-" + random.nextInt(2_000);
                entry.at(table, gone, 0).setValue(null);
                model.remove(gone);
            }
        }
        assertThat(table.usedBytes()).as("compacted: garbage is bounded").isLessThanOrEqualTo(2 * table.liveBytes()
            + ArenaTable.GARBAGE_SLACK_BYTES + 64);
        assertThat(table.size()).isEqualTo(model.size());
        for (final Map.Entry<String, Long> e : model.entrySet())
        {
            assertThat(table.get(e.getKey(), 0)).as(e.getKey()).isEqualTo(new Rec(e.getValue()));
        }
    }
}
