package io.stockgrid.api.client;

import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.CompletableFuture;

/**
 * One call of the client: its encoded frame (sent again, with a new request id, on each attempt), whether it may be
 * retried, which answer it expects, and its future. Confined to the client's event loop after submission.
 */
final class Call
{
    /** Answered by AVAILABILITY (or ERROR). */
    static final int AVAILABILITY = 1;
    /** Answered by RESERVATION (or ERROR). */
    static final int RESERVATION = 2;

    final byte[] frame;
    final int answer;
    /** The operation is idempotent by its ids, so an attempt whose outcome is unknown may be made again. */
    final boolean retryable;
    final CompletableFuture<Object> future = new CompletableFuture<>();
    int attempts;
    /** The request id of the attempt on the wire, 0 while not sent. */
    long requestId;
    ScheduledFuture<?> timer;

    Call(final byte[] frame, final int answer, final boolean retryable)
    {
        this.frame = frame;
        this.answer = answer;
        this.retryable = retryable;
    }

    boolean isDone()
    {
        return future.isDone();
    }

    void cancelTimer()
    {
        if (timer != null)
        {
            timer.cancel(false);
            timer = null;
        }
    }
}
