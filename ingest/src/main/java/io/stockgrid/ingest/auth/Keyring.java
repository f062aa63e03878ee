package io.stockgrid.ingest.auth;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One immutable generation of the keys: each key with its rate bucket. A reload builds a new keyring and swaps it in
 * whole; a key whose id, secret and limits are unchanged keeps its bucket, so a reload neither refills nor drains a
 * client's budget. Bounded by {@link KeyFile#KEYS_MAX} keys.
 * <p>
 * Lookup is by the SHA-256 of the presented secret: a hash map on its first 8 bytes finds the candidate, and the full
 * 32 bytes are compared with {@link java.security.MessageDigest#isEqual} (constant time). What the map's timing could
 * reveal is only whether a prefix of the SHA-256 of a guessed secret matches a stored one, which gives a guesser
 * nothing towards a secret (that would need a preimage).
 */
public final class Keyring
{
    /** A key as the doors see it: the key, its bucket, and its metric data points once resolved. */
    public static final class Entry
    {
        final ApiKey key;
        final byte[] hash;
        final Bucket bucket;
        volatile CounterDataPoint allowed;
        volatile CounterDataPoint forbidden;
        volatile CounterDataPoint rateLimited;

        Entry(final ApiKey key, final Bucket bucket)
        {
            this.key = key;
            this.hash = key.secretSha256();
            this.bucket = bucket;
        }

        /** The key's id: the caller journaled with its commands and logged with its requests. */
        public String id()
        {
            return key.id();
        }

        public boolean has(final Scope scope)
        {
            return key.scopes().contains(scope);
        }

        public ApiKey key()
        {
            return key;
        }
    }

    static final Keyring EMPTY = new Keyring(Map.of(), List.of());

    private final Map<Long, Entry> byHashPrefix;
    private final List<Entry> entries;

    private Keyring(final Map<Long, Entry> byHashPrefix, final List<Entry> entries)
    {
        this.byHashPrefix = byHashPrefix;
        this.entries = entries;
    }

    /** Builds the next keyring from {@code keys}, keeping the buckets of unchanged keys of {@code previous}. */
    static Keyring of(final List<ApiKey> keys, final Keyring previous, final TimeMeter meter)
    {
        final Map<String, Entry> old = new HashMap<>();
        for (final Entry e : previous.entries)
        {
            old.put(e.key.id(), e);
        }
        final Map<Long, Entry> byPrefix = new HashMap<>(keys.size() * 2);
        final List<Entry> list = new ArrayList<>(keys.size());
        for (final ApiKey key : keys)
        {
            final Entry was = old.get(key.id());
            final Entry entry;
            if (was != null && was.key.sameHash(key.secretSha256()) && was.key.sameLimits(key))
            {
                entry = new Entry(key, was.bucket);
                entry.allowed = was.allowed;
                entry.forbidden = was.forbidden;
                entry.rateLimited = was.rateLimited;
            }
            else
            {
                entry = new Entry(key, bucket(key, meter));
            }
            // KeyFile refuses two keys with one hash; two distinct hashes sharing 8 bytes would need 2^32 keys.
            if (byPrefix.putIfAbsent(prefix(entry.hash), entry) != null)
            {
                throw new IllegalStateException("two keys share the first 8 bytes of their secret's SHA-256");
            }
            list.add(entry);
        }
        return new Keyring(Map.copyOf(byPrefix), List.copyOf(list));
    }

    private static Bucket bucket(final ApiKey key, final TimeMeter meter)
    {
        // Greedy refill: tokens trickle in continuously (ratePerSecond a second), up to burst. SYNCHRONIZED rather
        // than the lock-free default, which allocates a state copy per attempt; contention is per key only.
        return Bucket.builder()
            .addLimit(limit -> limit.capacity(key.burst()).refillGreedy(key.ratePerSecond(), Duration.ofSeconds(1)))
            .withCustomTimePrecision(meter)
            .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
            .build();
    }

    /** The entry whose secret hashes to {@code sha256}, or null. */
    Entry find(final byte[] sha256)
    {
        final Entry e = byHashPrefix.get(prefix(sha256));
        return e != null && java.security.MessageDigest.isEqual(e.hash, sha256) ? e : null;
    }

    /** The keys of this generation, in file order. */
    public List<Entry> entries()
    {
        return entries;
    }

    public int size()
    {
        return entries.size();
    }

    private static long prefix(final byte[] hash)
    {
        long p = 0;
        for (int i = 0; i < 8; i++)
        {
            p = (p << 8) | (hash[i] & 0xFF);
        }
        return p;
    }
}
