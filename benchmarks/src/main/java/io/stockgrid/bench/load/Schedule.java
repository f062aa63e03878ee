package io.stockgrid.bench.load;

/**
 * The open-loop schedule: when request {@code n} is meant to be sent, relative to the start. A constant rate, or a
 * linear ramp from 0 to the rate over the first {@code rampSeconds}, then the rate.
 */
final class Schedule
{
    private final double ratePerSecond;
    private final double rampSeconds;
    private final double requestsInRamp;

    Schedule(final double ratePerSecond, final double rampSeconds)
    {
        if (ratePerSecond <= 0 || rampSeconds < 0)
        {
            throw new IllegalArgumentException("rate must be > 0 and ramp >= 0: " + ratePerSecond + ", "
                + rampSeconds);
        }
        this.ratePerSecond = ratePerSecond;
        this.rampSeconds = rampSeconds;
        this.requestsInRamp = ratePerSecond * rampSeconds / 2;
    }

    long offsetNs(final long n)
    {
        final double seconds;
        if (n < requestsInRamp)
        {
            // n(t) = rate * t^2 / (2 * ramp) while ramping.
            seconds = Math.sqrt(2 * rampSeconds * n / ratePerSecond);
        }
        else
        {
            seconds = rampSeconds + (n - requestsInRamp) / ratePerSecond;
        }
        return (long)(seconds * 1e9);
    }

    /** How many requests the schedule sends in the first {@code seconds}; bounds the ledger. */
    long requestsWithin(final double seconds)
    {
        if (seconds <= rampSeconds)
        {
            return (long)Math.ceil(ratePerSecond * seconds * seconds / (2 * Math.max(rampSeconds, 1e-9))) + 1;
        }
        return (long)Math.ceil(requestsInRamp + (seconds - rampSeconds) * ratePerSecond) + 1;
    }
}
