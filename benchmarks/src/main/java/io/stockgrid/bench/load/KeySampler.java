package io.stockgrid.bench.load;

import java.util.SplittableRandom;

/** Draws a SKU-location index by the configured {@link Skew}. Immutable, so any thread may draw. */
final class KeySampler
{
    private final Skew skew;
    private final int keys;
    /** Zipf only: the cumulative probability of ranks 0..i. */
    private final double[] cdf;

    KeySampler(final Skew skew, final int keys, final double zipfExponent)
    {
        this.skew = skew;
        this.keys = keys;
        if (skew == Skew.ZIPF)
        {
            cdf = new double[keys];
            double sum = 0;
            for (int i = 0; i < keys; i++)
            {
                sum += 1.0 / Math.pow(i + 1, zipfExponent);
                cdf[i] = sum;
            }
            for (int i = 0; i < keys; i++)
            {
                cdf[i] /= sum;
            }
        }
        else
        {
            cdf = null;
        }
    }

    int next(final SplittableRandom random)
    {
        switch (skew)
        {
            case HOT:
                return 0;
            case UNIFORM:
                return random.nextInt(keys);
            default:
                final double u = random.nextDouble();
                int lo = 0;
                int hi = keys - 1;
                while (lo < hi)
                {
                    final int mid = (lo + hi) >>> 1;
                    if (cdf[mid] < u)
                    {
                        lo = mid + 1;
                    }
                    else
                    {
                        hi = mid;
                    }
                }
                return lo;
        }
    }
}
