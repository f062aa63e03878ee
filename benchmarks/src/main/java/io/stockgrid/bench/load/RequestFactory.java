package io.stockgrid.bench.load;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides request {@code n} of the mix: a commit or a release of a held reservation (the oldest not yet picked), a
 * retry of a recent reservation with the same id and body, or a new reservation. Safe from any thread: the choice
 * for {@code n} comes from the workload's random stream for {@code n}, the rest from atomic counters and the pool.
 */
final class RequestFactory
{
    /** A retry repeats one of this many most recent reservations. */
    static final int RETRY_WINDOW = 1_000;

    private final Workload workload;
    private final HeldPool held;
    private final double commitBelow;
    private final double releaseBelow;
    private final double retryBelow;
    private final long maxSeq;
    private final Completion completion;
    private final AtomicLong nextSeq = new AtomicLong();

    RequestFactory(final Workload workload, final HeldPool held, final double commitShare, final double releaseShare,
        final double retryShare, final long maxSeq, final Completion completion)
    {
        if (commitShare < 0 || releaseShare < 0 || retryShare < 0 || commitShare + releaseShare + retryShare > 1)
        {
            throw new IllegalArgumentException("shares must be >= 0 and add up to at most 1");
        }
        this.workload = workload;
        this.held = held;
        this.commitBelow = commitShare;
        this.releaseBelow = commitShare + releaseShare;
        this.retryBelow = commitShare + releaseShare + retryShare;
        this.maxSeq = maxSeq;
        this.completion = completion;
    }

    /** Request {@code n}, meant to be sent at {@code intendedNs}; null once the reservation ids are used up. */
    Request next(final long n, final long intendedNs)
    {
        final SplittableRandom random = workload.random(n);
        final double u = random.nextDouble();
        if (u < releaseBelow)
        {
            final long seq = held.poll();
            if (seq >= 0)
            {
                return new Request(u < commitBelow ? Op.COMMIT : Op.RELEASE, seq, workload.keysOf(seq),
                    workload.quantity, false, intendedNs, completion);
            }
        }
        else if (u < retryBelow)
        {
            final long issued = Math.min(nextSeq.get(), maxSeq);
            if (issued > 0)
            {
                final long seq = issued - 1 - random.nextLong(Math.min(issued, RETRY_WINDOW));
                return new Request(Op.RESERVE, seq, workload.keysOf(seq), workload.quantity, true, intendedNs,
                    completion);
            }
        }
        final long seq = nextSeq.getAndIncrement();
        if (seq >= maxSeq)
        {
            return null;
        }
        return new Request(Op.RESERVE, seq, workload.keysOf(seq), workload.quantity, false, intendedNs, completion);
    }

    /** Reservation sequence numbers handed out so far (0..issued - 1). */
    long issued()
    {
        return Math.min(nextSeq.get(), maxSeq);
    }
}
