package io.stockgrid.bench.load;

import java.util.SplittableRandom;

/**
 * What the generator asks for, decided by the seed alone so that every target gets the same requests: the
 * SKU-locations and their names, and for a reservation's sequence number its id and lines. Names carry the run id,
 * so a run starts on fresh keys and the audit's arithmetic is exact even against a store that served earlier runs.
 */
final class Workload
{
    static final String LOCATION = "DC1";
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    final String runId;
    final int keys;
    final long initialStock;
    final int linesPerReservation;
    final long quantity;
    final int ttlSeconds;
    final long seed;
    private final KeySampler sampler;
    private final String[] skus;

    Workload(final String runId, final int keys, final Skew skew, final double zipfExponent,
        final int linesPerReservation, final long quantity, final long initialStock, final int ttlSeconds,
        final long seed)
    {
        if (linesPerReservation > keys)
        {
            throw new IllegalArgumentException("lines per reservation (" + linesPerReservation
                + ") cannot exceed the SKU-locations (" + keys + ")");
        }
        if (skew == Skew.HOT && linesPerReservation != 1)
        {
            throw new IllegalArgumentException("skew hot puts every line on one SKU-location: use 1 line");
        }
        this.runId = runId;
        this.keys = keys;
        this.initialStock = initialStock;
        this.linesPerReservation = linesPerReservation;
        this.quantity = quantity;
        this.ttlSeconds = ttlSeconds;
        this.seed = seed;
        this.sampler = new KeySampler(skew, keys, zipfExponent);
        this.skus = new String[keys];
        for (int i = 0; i < keys; i++)
        {
            skus[i] = "S" + runId + "-" + i;
        }
    }

    String sku(final int key)
    {
        return skus[key];
    }

    String location(final int key)
    {
        return LOCATION;
    }

    String reservationId(final long seq)
    {
        return "r" + runId + "-" + seq;
    }

    /** The distinct SKU-locations of reservation {@code seq}'s lines, the same on every call. */
    int[] keysOf(final long seq)
    {
        final SplittableRandom random = random(seq ^ 0x5DEECE66DL);
        final int[] chosen = new int[linesPerReservation];
        for (int i = 0; i < chosen.length; i++)
        {
            int key = sampler.next(random);
            // A reservation names each SKU-location once. Resample a few times, then take the next free index:
            // bounded, and still deterministic.
            for (int attempt = 0; contains(chosen, i, key); attempt++)
            {
                key = attempt < 16 ? sampler.next(random) : (key + 1) % keys;
            }
            chosen[i] = key;
        }
        return chosen;
    }

    /** A random stream for request {@code n}, the same for every target. */
    SplittableRandom random(final long n)
    {
        return new SplittableRandom(seed * GOLDEN + n);
    }

    private static boolean contains(final int[] values, final int count, final int value)
    {
        for (int i = 0; i < count; i++)
        {
            if (values[i] == value)
            {
                return true;
            }
        }
        return false;
    }
}
