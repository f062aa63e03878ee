package io.stockgrid.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Sends {@code count} set-up or audit requests through a target with at most {@code maxOutstanding} unanswered at
 * once, and waits for every answer, up to a deadline. Not timed: this is set-up and checking, not load.
 */
final class BulkCalls
{
    /** Builds request {@code i}; it must complete through the given completion. */
    @FunctionalInterface
    interface RequestMaker
    {
        Request make(int i, Completion completion);
    }

    /** Request {@code i} with its outcome, or null where no answer came before the deadline. */
    record Answer(Request request, Outcome outcome)
    {
    }

    private BulkCalls()
    {
    }

    static AtomicReferenceArray<Answer> run(final Target target, final int count, final int maxOutstanding,
        final long timeoutMs, final RequestMaker maker) throws InterruptedException
    {
        final AtomicReferenceArray<Answer> answers = new AtomicReferenceArray<>(count);
        final Semaphore permits = new Semaphore(maxOutstanding);
        final CountDownLatch done = new CountDownLatch(count);
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (int i = 0; i < count; i++)
        {
            final int index = i;
            final long leftNs = deadlineNs - System.nanoTime();
            if (leftNs <= 0 || !permits.tryAcquire(leftNs, TimeUnit.NANOSECONDS))
            {
                break;
            }
            target.send(maker.make(index, (r, outcome) ->
            {
                answers.set(index, new Answer(r, outcome));
                permits.release();
                done.countDown();
            }));
        }
        done.await(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        return answers;
    }
}
