package io.stockgrid.bench.load;

/** One second of a run, as the progress line showed it. {@code second} counts from the start of the warm-up. */
record TimelinePoint(int second, boolean measuring, long sentPerSecond, long answeredPerSecond, double p50Ms,
    double p99Ms, double maxMs, long errors, long timeouts, long dropped, int outstanding)
{
}
