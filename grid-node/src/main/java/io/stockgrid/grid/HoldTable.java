package io.stockgrid.grid;

import java.util.Arrays;

/**
 * The holds on one stock record, in primitive arrays: reservation ids as one byte per char in one byte array, found
 * through an open-addressing index; quantity, expiry and attempt per hold number; and an indexed min-heap of the
 * expiries, so the earliest is known exactly after every change in O(log n). A hot key carries thousands of holds:
 * kept in a {@code LinkedHashMap} and a {@code TreeMap} of expiry counts they were the largest cost left on the
 * partition threads, and every hold stored several references from old objects to young ones for G1 to scan at each
 * young pause. Here adding or removing a hold writes numbers and bytes only (arrays grow by doubling).
 * <p>
 * Iteration is in hold-number order, which depends only on the sequence of adds and removes: a primary and its
 * backup, applying the same changes, iterate (and so serialise) alike. Reservation ids are ASCII by the API's rules;
 * an id with a character above 255 is refused.
 */
final class HoldTable
{
    private byte[] ids = new byte[64];
    private int idsUsed;
    private int idsLive;

    /** Per hold number; a length of -1 marks a free number. */
    private int[] idOffsets = new int[4];
    private int[] idLengths = new int[4];
    private int[] hashes = new int[4];
    private long[] quantities = new long[4];
    private long[] expiries = new long[4];
    private long[] attempts = new long[4];
    /** Where each hold number sits in the heap. */
    private int[] heapPositions = new int[4];
    private int highWater;
    private int[] free = new int[4];
    private int freeCount;
    private int size;

    /** Open addressing, linear probing: hold number + 1, 0 for empty. */
    private int[] index = new int[8];

    /** A min-heap of hold numbers by expiry. */
    private int[] heap = new int[4];

    int size()
    {
        return size;
    }

    /** One past the highest hold number in use; iterate 0..limit() and skip the free ones with {@link #live}. */
    int limit()
    {
        return highWater;
    }

    boolean live(final int no)
    {
        return idLengths[no] >= 0;
    }

    long quantity(final int no)
    {
        return quantities[no];
    }

    long expiresAtMs(final int no)
    {
        return expiries[no];
    }

    long attempt(final int no)
    {
        return attempts[no];
    }

    String id(final int no)
    {
        final char[] chars = new char[idLengths[no]];
        for (int i = 0; i < chars.length; i++)
        {
            chars[i] = (char)(ids[idOffsets[no] + i] & 0xff);
        }
        return new String(chars);
    }

    /** The earliest expiry of any hold, Long.MAX_VALUE with none. */
    long earliestExpiryMs()
    {
        return size == 0 ? Long.MAX_VALUE : expiries[heap[0]];
    }

    private static int hashOf(final String id)
    {
        final int h = id.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 15);
    }

    /** The hold number of {@code id}, or -1. */
    int find(final String id)
    {
        final int h = hashOf(id);
        final int mask = index.length - 1;
        for (int pos = h & mask; ; pos = (pos + 1) & mask)
        {
            final int entry = index[pos];
            if (entry == 0)
            {
                return -1;
            }
            final int no = entry - 1;
            if (hashes[no] == h && idEquals(no, id))
            {
                return no;
            }
        }
    }

    private boolean idEquals(final int no, final String id)
    {
        if (idLengths[no] != id.length())
        {
            return false;
        }
        final int offset = idOffsets[no];
        for (int i = 0; i < id.length(); i++)
        {
            if ((ids[offset + i] & 0xff) != id.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** Adds a hold for an id not held here (the caller removes an existing one first). Returns its number. */
    int add(final String id, final long quantity, final long expiresAtMs, final long attempt)
    {
        for (int i = 0; i < id.length(); i++)
        {
            if (id.charAt(i) > 0xff)
            {
                throw new IllegalArgumentException("reservation id " + id + " has a character above 255");
            }
        }
        final int no = newNumber();
        idOffsets[no] = appendId(id);
        idLengths[no] = id.length();
        hashes[no] = hashOf(id);
        quantities[no] = quantity;
        expiries[no] = expiresAtMs;
        attempts[no] = attempt;
        size++;
        insertIntoIndex(no);
        heapPositions[no] = size - 1;
        heap[size - 1] = no;
        siftUp(size - 1);
        return no;
    }

    /** Removes hold number {@code no}. */
    void remove(final int no)
    {
        NumberIndex.remove(index, hashes, no);
        final int position = heapPositions[no];
        final int last = heap[size - 1];
        size--;
        if (position != size)
        {
            heap[position] = last;
            heapPositions[last] = position;
            siftDown(position);
            siftUp(heapPositions[last]);
        }
        idsLive -= idLengths[no];
        idLengths[no] = -1;
        if (freeCount == free.length)
        {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = no;
        if (size == 0)
        {
            // Nothing held: start over small (a hot key's burst does not keep its arrays for ever).
            clear();
        }
    }

    void clear()
    {
        ids = new byte[64];
        idsUsed = 0;
        idsLive = 0;
        idOffsets = new int[4];
        idLengths = new int[4];
        hashes = new int[4];
        quantities = new long[4];
        expiries = new long[4];
        attempts = new long[4];
        heapPositions = new int[4];
        highWater = 0;
        free = new int[4];
        freeCount = 0;
        size = 0;
        index = new int[8];
        heap = new int[4];
    }

    private int newNumber()
    {
        if (freeCount > 0)
        {
            // The lowest free number would be dearer to find; the most recently freed is as deterministic.
            return free[--freeCount];
        }
        if (highWater == idLengths.length)
        {
            final int capacity = highWater * 2;
            idOffsets = Arrays.copyOf(idOffsets, capacity);
            idLengths = Arrays.copyOf(idLengths, capacity);
            hashes = Arrays.copyOf(hashes, capacity);
            quantities = Arrays.copyOf(quantities, capacity);
            expiries = Arrays.copyOf(expiries, capacity);
            attempts = Arrays.copyOf(attempts, capacity);
            heapPositions = Arrays.copyOf(heapPositions, capacity);
            heap = Arrays.copyOf(heap, capacity);
        }
        return highWater++;
    }

    private int appendId(final String id)
    {
        if (idsUsed + id.length() > ids.length)
        {
            if (idsLive + id.length() <= ids.length / 2)
            {
                compactIds();
            }
            if (idsUsed + id.length() > ids.length)
            {
                ids = Arrays.copyOf(ids, Math.max(ids.length * 2, idsUsed + id.length()));
            }
        }
        final int offset = idsUsed;
        for (int i = 0; i < id.length(); i++)
        {
            ids[offset + i] = (byte)id.charAt(i);
        }
        idsUsed += id.length();
        idsLive += id.length();
        return offset;
    }

    /** Packs the live ids to the front of the id bytes (removed holds leave their bytes behind). */
    private void compactIds()
    {
        final byte[] packed = new byte[ids.length];
        int used = 0;
        for (int no = 0; no < highWater; no++)
        {
            if (idLengths[no] >= 0)
            {
                System.arraycopy(ids, idOffsets[no], packed, used, idLengths[no]);
                idOffsets[no] = used;
                used += idLengths[no];
            }
        }
        ids = packed;
        idsUsed = used;
    }

    private void insertIntoIndex(final int no)
    {
        if (size * 2 > index.length)
        {
            index = NumberIndex.rehash(index, hashes, index.length * 2);
        }
        NumberIndex.place(index, hashes, no + 1);
    }

    private boolean before(final int a, final int b)
    {
        return expiries[a] < expiries[b] || (expiries[a] == expiries[b] && a < b);
    }

    private void siftUp(final int start)
    {
        int position = start;
        final int no = heap[position];
        while (position > 0)
        {
            final int parent = (position - 1) >>> 1;
            if (!before(no, heap[parent]))
            {
                break;
            }
            heap[position] = heap[parent];
            heapPositions[heap[position]] = position;
            position = parent;
        }
        heap[position] = no;
        heapPositions[no] = position;
    }

    private void siftDown(final int start)
    {
        int position = start;
        final int no = heap[position];
        while (true)
        {
            final int left = 2 * position + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && before(heap[right], heap[left]) ? right : left;
            if (!before(heap[child], no))
            {
                break;
            }
            heap[position] = heap[child];
            heapPositions[heap[position]] = position;
            position = child;
        }
        heap[position] = no;
        heapPositions[no] = position;
    }
}
