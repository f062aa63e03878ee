package io.stockgrid.bench.load;

/**
 * One request and, once answered, what came back. Built by the generator, filled in by a target; a target calls
 * {@link #completion} exactly once. For the stock operations {@code seq} is the key index; for the reservation
 * operations it is the reservation's sequence number, from which its id and lines follow.
 */
final class Request
{
    final Op op;
    final long seq;
    final int[] keys;
    final long quantity;
    final boolean retry;
    /** When the schedule meant it to be sent: latency is measured from here (coordinated omission corrected). */
    final long intendedNs;
    final Completion completion;

    /** The HTTP status, or for Redis the script's result code; 0 for a transport failure. */
    int status;
    /** Read answers: a key's onHand and reserved, a reservation's status (null if unknown). */
    long onHand;
    long reserved;
    String reservationStatus;

    Request(final Op op, final long seq, final int[] keys, final long quantity, final boolean retry,
        final long intendedNs, final Completion completion)
    {
        this.op = op;
        this.seq = seq;
        this.keys = keys;
        this.quantity = quantity;
        this.retry = retry;
        this.intendedNs = intendedNs;
        this.completion = completion;
    }

    void complete(final Outcome outcome)
    {
        completion.complete(this, outcome);
    }
}
