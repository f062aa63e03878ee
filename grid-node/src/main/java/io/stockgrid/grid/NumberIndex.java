package io.stockgrid.grid;

/**
 * The open-addressing index shared by {@link ArenaTable} and {@link HoldTable}: an {@code int[]} of capacity a power
 * of two whose slots hold a record number + 1 (0 for empty), probed linearly from {@code hash & mask}, where each
 * table keeps its numbers' hashes in an {@code int[]} of its own.
 */
final class NumberIndex
{
    private NumberIndex()
    {
    }

    /** Puts {@code entry} (number + 1) at the first free slot from its hash. */
    static void place(final int[] index, final int[] hashes, final int entry)
    {
        final int mask = index.length - 1;
        int pos = hashes[entry - 1] & mask;
        while (index[pos] != 0)
        {
            pos = (pos + 1) & mask;
        }
        index[pos] = entry;
    }

    /** A copy of {@code index} at {@code capacity}, every entry placed again. */
    static int[] rehash(final int[] index, final int[] hashes, final int capacity)
    {
        final int[] fresh = new int[capacity];
        for (final int entry : index)
        {
            if (entry != 0)
            {
                place(fresh, hashes, entry);
            }
        }
        return fresh;
    }

    /** Removes number {@code no} by backward-shift deletion: no tombstones, probes stay short. */
    static void remove(final int[] index, final int[] hashes, final int no)
    {
        final int mask = index.length - 1;
        int hole = hashes[no] & mask;
        while (index[hole] != no + 1)
        {
            hole = (hole + 1) & mask;
        }
        int pos = (hole + 1) & mask;
        while (index[pos] != 0)
        {
            final int ideal = hashes[index[pos] - 1] & mask;
            // Move the entry into the hole unless its ideal slot lies cyclically in (hole, pos].
            final boolean stays = hole <= pos ? ideal > hole && ideal <= pos : ideal > hole || ideal <= pos;
            if (!stays)
            {
                index[hole] = index[pos];
                hole = pos;
            }
            pos = (pos + 1) & mask;
        }
        index[hole] = 0;
    }
}
