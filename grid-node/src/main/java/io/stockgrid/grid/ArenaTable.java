package io.stockgrid.grid;

import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@link StoreTable} that keeps its records serialised in large byte arrays ("chunks"), found through an
 * open-addressing index of primitive arrays. Meant for the reservations table: a million and more records, each
 * written two or three times and then kept for the retention period. Kept as objects, every such write stores a
 * reference from an old object (a map's table, a slot) to a young one, and G1 scans the old-generation cards those
 * writes dirty in every young pause: under load that scan was nearly the whole pause (10-25 ms). Here a write copies
 * bytes into a chunk and numbers into arrays: nothing for the collector to scan. A read decodes a fresh copy, which
 * dies young.
 * <p>
 * Keys are strings of characters below 256 (reservation ids are ASCII by the API's rules), stored in the record:
 * <pre>
 *   +0   short  key length (chars)
 *   +2   ...    key, one byte per char
 *   ...  ...    the record, as the table's {@link Codec} encodes it
 * </pre>
 * Each record has a number: its location (chunk, offset), length, key hash, retention deadline and indexed value live
 * in arrays under that number; freed numbers are reused. A change appends the new bytes and leaves the old ones as
 * garbage; once garbage outweighs live bytes (and {@link #GARBAGE_SLACK_BYTES}), the live records are copied into fresh
 * chunks. Chunks start at 4 KiB and double up to {@link #CHUNK_BYTES} (a G1 region, or 1 MiB), so a partition with a
 * handful of reservations holds a few KiB
 * (a first version started every partition at 1 MiB: 271 MiB for 600 reservations, and a test node with a 512 MiB heap
 * ran out of memory at restart).
 * <p>
 * Memory per record: its bytes (a one-line reservation is about 300) plus 36 bytes of arrays plus 8 to 16 of
 * index, and up to as much again as garbage before a compaction.
 */
final class ArenaTable extends StoreTable
{
    /**
     * The largest chunk; chunks start at {@link #FIRST_CHUNK_BYTES} and double, so a small table stays small. Under G1
     * it is one heap region, less room for the array's header: G1 allocates an array of half a region or more straight
     * into the old generation ("humongous"), so no young pause ever copies a full-size chunk, and a chunk that fills
     * its region leaves none of it unused. A fixed 1 MiB chunk was copied by young pauses wherever regions are 4 MiB
     * (G1's choice for a heap of 8 GiB and up, and for the default heap on a 24 GiB machine): at peak that made young
     * pauses about two thirds longer in all (docs/benchmarks.md, "Session 9"). 1 MiB under another collector.
     */
    static final int CHUNK_BYTES = largestChunk();
    /** Room left in a region-sized chunk for the array's header, whatever the JVM's object layout. */
    private static final int ARRAY_HEADER_ALLOWANCE = 64;
    static final int FIRST_CHUNK_BYTES = 1 << 12;
    /** Garbage tolerated beyond the live bytes before a compaction (plus as much again as the live bytes). */
    static final long GARBAGE_SLACK_BYTES = 1 << 16;
    private static final int MAX_KEY_CHARS = Short.MAX_VALUE;

    private final Codec codec;

    private byte[][] chunks = new byte[4][];
    private int chunkCount;
    private int writePos;
    private long usedBytes;
    private long liveBytes;

    /** Per record number. A length of 0 means the number is free. */
    private long[] locations = new long[64];
    private int[] lengths = new int[64];
    private int[] hashes = new int[64];
    private long[] retainUntilMs = new long[64];
    private long[] indexed = new long[64];
    private long[] listedBy = new long[64];
    private int highWater;
    private final IntArrayList freeNumbers = new IntArrayList();
    private int size;

    /** Open addressing, linear probing: record number + 1, 0 for empty. */
    private int[] index = new int[128];
    private int lastFound = -1;

    /** The expiry wheel: bucket -> record numbers put there (checked, and compacted, by scans). */
    private final Long2ObjectHashMap<IntArrayList> wheel;
    private long earliestBucket = Long.MAX_VALUE;
    private long scans;

    private static int largestChunk()
    {
        try
        {
            final HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm != null && "true".equals(vm.getVMOption("UseG1GC").getValue()))
            {
                final long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
                if (region >= 1 << 20 && region <= 1 << 26)
                {
                    return (int)region - ARRAY_HEADER_ALLOWANCE;
                }
            }
        }
        catch (final RuntimeException | LinkageError notHotSpot)
        {
            // no HotSpot diagnostic bean (another JVM): the fixed size below
        }
        return 1 << 20;
    }

    ArenaTable(final Spec spec, final Codec codec, final AtomicLongArray published, final int publishedAt)
    {
        super(spec, published, publishedAt);
        if (codec == null)
        {
            throw new IllegalArgumentException("table " + spec.name() + " is compact but has no codec");
        }
        this.codec = codec;
        this.wheel = spec.indexedAttribute() == null ? null : new Long2ObjectHashMap<>();
    }

    @Override
    int size()
    {
        return size;
    }

    long usedBytes()
    {
        return usedBytes;
    }

    /** Bytes of the chunks held (what the records cost in heap, garbage included). */
    long chunkBytes()
    {
        long bytes = 0;
        for (int c = 0; c < chunkCount; c++)
        {
            bytes += chunks[c].length;
        }
        return bytes;
    }

    long liveBytes()
    {
        return liveBytes;
    }

    private static int hashOf(final String key)
    {
        final int h = key.hashCode() * 0x9E3779B9;
        final int mixed = h ^ (h >>> 15);
        return mixed == 0 ? 1 : mixed;
    }

    private static String asKey(final Object key)
    {
        if (!(key instanceof String s))
        {
            throw new IllegalArgumentException("an arena table's keys are strings, not " + key.getClass().getName());
        }
        return s;
    }

    private int find(final String key)
    {
        final int h = hashOf(key);
        final int mask = index.length - 1;
        for (int pos = h & mask; ; pos = (pos + 1) & mask)
        {
            final int entry = index[pos];
            if (entry == 0)
            {
                return -1;
            }
            final int no = entry - 1;
            if (hashes[no] == h && keyEquals(no, key))
            {
                return no;
            }
        }
    }

    private boolean keyEquals(final int no, final String key)
    {
        final byte[] chunk = chunks[(int)(locations[no] >>> 32)];
        final int offset = (int)locations[no];
        final int keyChars = ((chunk[offset] & 0xff) << 8) | (chunk[offset + 1] & 0xff);
        if (keyChars != key.length())
        {
            return false;
        }
        for (int i = 0; i < keyChars; i++)
        {
            if ((chunk[offset + 2 + i] & 0xff) != key.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    private String keyOf(final int no)
    {
        final byte[] chunk = chunks[(int)(locations[no] >>> 32)];
        final int offset = (int)locations[no];
        final int keyChars = ((chunk[offset] & 0xff) << 8) | (chunk[offset + 1] & 0xff);
        final char[] chars = new char[keyChars];
        for (int i = 0; i < keyChars; i++)
        {
            chars[i] = (char)(chunk[offset + 2 + i] & 0xff);
        }
        return new String(chars);
    }

    private Object valueOf(final int no)
    {
        final byte[] chunk = chunks[(int)(locations[no] >>> 32)];
        final int offset = (int)locations[no];
        final int keyChars = ((chunk[offset] & 0xff) << 8) | (chunk[offset + 1] & 0xff);
        return codec.decode(chunk, offset + 2 + keyChars, lengths[no] - 2 - keyChars);
    }

    @Override
    Object get(final Object key, final long wallMs)
    {
        final int no = find(asKey(key));
        lastFound = no;
        if (no < 0)
        {
            return null;
        }
        if (retainUntilMs[no] <= wallMs)
        {
            removeNumber(no);
            lastFound = -1;
            return null;
        }
        return valueOf(no);
    }

    @Override
    long lastRetainUntilMs()
    {
        return lastFound < 0 ? Long.MAX_VALUE : retainUntilMs[lastFound];
    }

    @Override
    void put(final Object key, final Object value, final long retainUntil)
    {
        final String k = asKey(key);
        if (k.length() > MAX_KEY_CHARS)
        {
            throw new IllegalArgumentException("key of " + k.length() + " chars is longer than " + MAX_KEY_CHARS);
        }
        for (int i = 0; i < k.length(); i++)
        {
            if (k.charAt(i) > 0xff)
            {
                throw new IllegalArgumentException("key " + k + " has a character above 255");
            }
        }
        final int valueLength = codec.encode(value);
        final byte[] bytes = codec.encoded();
        int no = find(k);
        if (no < 0)
        {
            no = newNumber();
            hashes[no] = hashOf(k);
            insertIntoIndex(no);
            size++;
        }
        else if (lengths[no] == 2 + k.length() + valueLength)
        {
            // The same length (a phase change: the same strings, a new version and phase byte): written over the
            // old bytes in place, so a transition leaves no garbage to compact and takes no new chunk space.
            final byte[] chunk = chunks[(int)(locations[no] >>> 32)];
            System.arraycopy(bytes, 0, chunk, (int)locations[no] + 2 + k.length(), valueLength);
            retainUntilMs[no] = retainUntil;
            reindex(no, value);
            return;
        }
        else
        {
            liveBytes -= lengths[no];
        }
        write(no, k, bytes, valueLength);
        retainUntilMs[no] = retainUntil;
        reindex(no, value);
        if (usedBytes > 2 * liveBytes + GARBAGE_SLACK_BYTES)
        {
            compact();
        }
    }

    private void write(final int no, final String key, final byte[] value, final int valueLength)
    {
        final int length = 2 + key.length() + valueLength;
        final byte[] chunk = room(length);
        final int offset = writePos;
        chunk[offset] = (byte)(key.length() >>> 8);
        chunk[offset + 1] = (byte)key.length();
        for (int i = 0; i < key.length(); i++)
        {
            chunk[offset + 2 + i] = (byte)key.charAt(i);
        }
        System.arraycopy(value, 0, chunk, offset + 2 + key.length(), valueLength);
        locations[no] = ((long)(chunkCount - 1) << 32) | offset;
        lengths[no] = length;
        writePos += length;
        usedBytes += length;
        liveBytes += length;
    }

    /** The chunk to write {@code length} bytes at {@link #writePos} into; starts a new one when the last is full. */
    private byte[] room(final int length)
    {
        if (chunkCount > 0 && writePos + length <= chunks[chunkCount - 1].length)
        {
            return chunks[chunkCount - 1];
        }
        if (chunkCount == chunks.length)
        {
            chunks = Arrays.copyOf(chunks, chunks.length * 2);
        }
        final int next = chunkCount == 0 ? FIRST_CHUNK_BYTES :
            Math.min(CHUNK_BYTES, chunks[chunkCount - 1].length * 2);
        final byte[] chunk = new byte[Math.max(next, length)];
        chunks[chunkCount++] = chunk;
        writePos = 0;
        return chunk;
    }

    private int newNumber()
    {
        if (!freeNumbers.isEmpty())
        {
            return freeNumbers.removeAt(freeNumbers.size() - 1);
        }
        if (highWater == lengths.length)
        {
            final int capacity = lengths.length * 2;
            locations = Arrays.copyOf(locations, capacity);
            lengths = Arrays.copyOf(lengths, capacity);
            hashes = Arrays.copyOf(hashes, capacity);
            retainUntilMs = Arrays.copyOf(retainUntilMs, capacity);
            indexed = Arrays.copyOf(indexed, capacity);
            listedBy = Arrays.copyOf(listedBy, capacity);
        }
        final int no = highWater++;
        indexed[no] = Long.MAX_VALUE;
        listedBy[no] = 0;
        return no;
    }

    private void insertIntoIndex(final int no)
    {
        if ((size + 1) * 2 > index.length)
        {
            index = NumberIndex.rehash(index, hashes, index.length * 2);
        }
        NumberIndex.place(index, hashes, no + 1);
    }

    private void removeNumber(final int no)
    {
        NumberIndex.remove(index, hashes, no);
        liveBytes -= lengths[no];
        lengths[no] = 0;
        hashes[no] = 0;
        indexed[no] = Long.MAX_VALUE;
        freeNumbers.addInt(no);
        size--;
    }

    @Override
    void remove(final Object key)
    {
        final int no = find(asKey(key));
        if (no >= 0)
        {
            removeNumber(no);
        }
    }

    /** Copies every live record into fresh chunks; the old ones (and their garbage) go. */
    private void compact()
    {
        final byte[][] old = chunks;
        final long[] oldLocations = locations.clone();
        chunks = new byte[4][];
        chunkCount = 0;
        writePos = 0;
        usedBytes = 0;
        for (int no = 0; no < highWater; no++)
        {
            final int length = lengths[no];
            if (length == 0)
            {
                continue;
            }
            final byte[] chunk = room(length);
            System.arraycopy(old[(int)(oldLocations[no] >>> 32)], (int)oldLocations[no], chunk, writePos, length);
            locations[no] = ((long)(chunkCount - 1) << 32) | writePos;
            writePos += length;
            usedBytes += length;
        }
        liveBytes = usedBytes;
    }

    private void reindex(final int no, final Object value)
    {
        if (wheel == null)
        {
            return;
        }
        final long now = indexGetter.applyAsLong(value);
        if (now == indexed[no])
        {
            return;
        }
        indexed[no] = now;
        if (now != Long.MAX_VALUE)
        {
            final long bucket = Math.floorDiv(now, BUCKET_MS);
            IntArrayList inBucket = wheel.get(bucket);
            if (inBucket == null)
            {
                inBucket = new IntArrayList(4, -1);
                wheel.put(bucket, inBucket);
            }
            inBucket.addInt(no);
            if (bucket < earliestBucket)
            {
                earliestBucket = bucket;
                publish();
            }
        }
    }

    @Override
    long earliestIndexedMs()
    {
        return earliestBucket == Long.MAX_VALUE ? Long.MAX_VALUE : earliestBucket * BUCKET_MS;
    }

    @Override
    void forEachLive(final long wallMs, final LiveConsumer consumer)
    {
        final IntArrayList lapsed = new IntArrayList();
        for (int no = 0; no < highWater; no++)
        {
            if (lengths[no] == 0)
            {
                continue;
            }
            if (retainUntilMs[no] <= wallMs)
            {
                lapsed.addInt(no);
            }
            else
            {
                consumer.accept(keyOf(no), valueOf(no), retainUntilMs[no]);
            }
        }
        for (int i = 0; i < lapsed.size(); i++)
        {
            removeNumber(lapsed.getInt(i));
        }
    }

    @Override
    ChunkCursor chunkCursor()
    {
        // Record numbers are stable: removal clears a number and compaction moves bytes, never numbers; only a new
        // record takes a number, and none arrives while the partition migrates.
        return new ChunkCursor()
        {
            private int next;

            @Override
            public boolean next(final int maxRecords, final long wallMs, final LiveConsumer consumer)
            {
                int passed = 0;
                while (next < highWater && passed < maxRecords)
                {
                    final int no = next++;
                    if (lengths[no] != 0 && retainUntilMs[no] > wallMs)
                    {
                        consumer.accept(keyOf(no), valueOf(no), retainUntilMs[no]);
                        passed++;
                    }
                }
                return next < highWater;
            }
        };
    }

    @Override
    void keysAtMost(final String attribute, final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (attribute.equals(spec.indexedAttribute()))
        {
            wheelAtMost(value, wallMs, into);
            return;
        }
        forEachLive(wallMs, (k, v, r) ->
        {
            if (spec.attribute(attribute, v) <= value)
            {
                into.add(k);
            }
        });
    }

    /** As {@link ObjectTable}'s wheel scan, over record numbers: lists the due, compacts what it passes. */
    private void wheelAtMost(final long value, final long wallMs, final ArrayList<Object> into)
    {
        if (earliestBucket == Long.MAX_VALUE)
        {
            return;
        }
        final long lastBucket = Math.floorDiv(value, BUCKET_MS);
        final long scan = ++scans;
        long firstLeft = Long.MAX_VALUE;
        final LongArrayList visit = new LongArrayList();
        if (lastBucket - earliestBucket <= 64)
        {
            for (long bucket = earliestBucket; bucket <= lastBucket; bucket++)
            {
                visit.addLong(bucket);
            }
        }
        else
        {
            final Long2ObjectHashMap<IntArrayList>.KeyIterator keys = wheel.keySet().iterator();
            while (keys.hasNext())
            {
                final long b = keys.nextLong();
                if (b <= lastBucket)
                {
                    visit.addLong(b);
                }
            }
        }
        for (int v = 0; v < visit.size(); v++)
        {
            final long bucket = visit.getLong(v);
            final IntArrayList inBucket = wheel.get(bucket);
            if (inBucket == null)
            {
                continue;
            }
            int kept = 0;
            for (int i = 0; i < inBucket.size(); i++)
            {
                final int no = inBucket.getInt(i);
                if (lengths[no] == 0 || listedBy[no] == scan || indexed[no] == Long.MAX_VALUE
                    || Math.floorDiv(indexed[no], BUCKET_MS) != bucket)
                {
                    continue;
                }
                listedBy[no] = scan;
                inBucket.setInt(kept++, no);
                if (indexed[no] <= value && retainUntilMs[no] > wallMs)
                {
                    into.add(keyOf(no));
                }
            }
            while (inBucket.size() > kept)
            {
                inBucket.removeAt(inBucket.size() - 1);
            }
            if (kept == 0)
            {
                wheel.remove(bucket);
            }
            else
            {
                firstLeft = Math.min(firstLeft, bucket);
            }
        }
        if (earliestBucket <= lastBucket)
        {
            long next = firstLeft;
            if (next == Long.MAX_VALUE)
            {
                final Long2ObjectHashMap<IntArrayList>.KeyIterator keys = wheel.keySet().iterator();
                while (keys.hasNext())
                {
                    final long b = keys.nextLong();
                    if (b > lastBucket && b < next)
                    {
                        next = b;
                    }
                }
            }
            earliestBucket = next;
            publish();
        }
    }

    @Override
    void clear()
    {
        chunks = new byte[4][];
        chunkCount = 0;
        writePos = 0;
        usedBytes = 0;
        liveBytes = 0;
        locations = new long[64];
        lengths = new int[64];
        hashes = new int[64];
        retainUntilMs = new long[64];
        indexed = new long[64];
        listedBy = new long[64];
        highWater = 0;
        freeNumbers.clear();
        size = 0;
        index = new int[128];
        lastFound = -1;
        if (wheel != null)
        {
            wheel.clear();
            earliestBucket = Long.MAX_VALUE;
            publish();
        }
    }
}
