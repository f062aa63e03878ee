package io.stockgrid.bench.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the store answered about each reservation, one byte of flags per sequence number, set from any thread. The
 * audit compares it with the store afterwards. Chunks are allocated as sequence numbers reach them; the capacity is
 * fixed up front, so a long run cannot grow it without bound.
 */
final class Ledger
{
    /** A reserve was answered "held" (201), first time or replay. */
    static final int ACCEPTED = 1;
    /** A reserve was answered "rejected" (409 INSUFFICIENT_STOCK). */
    static final int REJECTED = 1 << 1;
    /** A commit was answered 200. */
    static final int COMMITTED = 1 << 2;
    /** A release was answered 200. */
    static final int RELEASED = 1 << 3;
    /** A commit or release was answered 409 RESERVATION_NOT_HELD (expired, or settled the other way). */
    static final int NOT_HELD = 1 << 4;
    /** A commit or release was sent. Without one of the three answers above, it may or may not have happened. */
    static final int SETTLE_SENT = 1 << 5;
    /** A reserve was sent. Without ACCEPTED or REJECTED, it may or may not hold stock (an error, or no answer). */
    static final int RESERVE_SENT = 1 << 6;

    private static final int CHUNK_SHIFT = 20;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
    private static final VarHandle BYTES = MethodHandles.arrayElementVarHandle(byte[].class);

    private final long capacity;
    private final byte[][] chunks;

    Ledger(final long capacity)
    {
        if (capacity < 1 || capacity > (long)Integer.MAX_VALUE << CHUNK_SHIFT)
        {
            throw new IllegalArgumentException("ledger capacity out of range: " + capacity);
        }
        this.capacity = capacity;
        this.chunks = new byte[(int)((capacity + CHUNK_MASK) >>> CHUNK_SHIFT)][];
    }

    long capacity()
    {
        return capacity;
    }

    /** Sets {@code flags} on {@code seq}; returns the flags it had before. */
    int mark(final long seq, final int flags)
    {
        final byte[] chunk = chunk(seq);
        return (byte)BYTES.getAndBitwiseOr(chunk, (int)(seq & CHUNK_MASK), (byte)flags) & 0xFF;
    }

    /**
     * A copy of the flags as they are now. The audit works on one: answers may still arrive while it runs (a request
     * past the drain's timeout), and two passes over a ledger that changes in between would disagree.
     */
    Ledger copy()
    {
        final Ledger copy = new Ledger(capacity);
        for (int i = 0; i < chunks.length; i++)
        {
            final byte[] chunk = chunks[i];
            if (chunk != null)
            {
                final byte[] c = new byte[chunk.length];
                for (int j = 0; j < chunk.length; j++)
                {
                    c[j] = (byte)BYTES.getVolatile(chunk, j);
                }
                copy.chunks[i] = c;
            }
        }
        return copy;
    }

    int get(final long seq)
    {
        final byte[] chunk = chunks[(int)(seq >>> CHUNK_SHIFT)];
        return chunk == null ? 0 : (byte)BYTES.getVolatile(chunk, (int)(seq & CHUNK_MASK)) & 0xFF;
    }

    private byte[] chunk(final long seq)
    {
        if (seq < 0 || seq >= capacity)
        {
            throw new IndexOutOfBoundsException("sequence " + seq + " outside the ledger's " + capacity);
        }
        final int index = (int)(seq >>> CHUNK_SHIFT);
        byte[] chunk = chunks[index];
        if (chunk == null)
        {
            synchronized (this)
            {
                chunk = chunks[index];
                if (chunk == null)
                {
                    chunk = new byte[1 << CHUNK_SHIFT];
                    chunks[index] = chunk;
                }
            }
        }
        return chunk;
    }
}
