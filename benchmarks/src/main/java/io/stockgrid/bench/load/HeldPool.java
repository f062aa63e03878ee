package io.stockgrid.bench.load;

/**
 * Reservations answered "held" and not yet picked for a commit or release, oldest first. Bounded: when full, a newly
 * held reservation is simply not offered (it stays held until its TTL), so the pool never grows past its capacity.
 */
final class HeldPool
{
    private final long[] ring;
    private long head;
    private long tail;

    HeldPool(final int capacity)
    {
        ring = new long[capacity];
    }

    synchronized boolean offer(final long seq)
    {
        if (tail - head == ring.length)
        {
            return false;
        }
        ring[(int)(tail++ % ring.length)] = seq;
        return true;
    }

    /** The oldest held reservation, or -1 if there is none. */
    synchronized long poll()
    {
        if (head == tail)
        {
            return -1;
        }
        return ring[(int)(head++ % ring.length)];
    }
}
