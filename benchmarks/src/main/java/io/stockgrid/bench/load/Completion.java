package io.stockgrid.bench.load;

/** Told once per request, on a target's I/O thread (or the caller's, for a dropped request): keep it short. */
@FunctionalInterface
interface Completion
{
    void complete(Request request, Outcome outcome);
}
