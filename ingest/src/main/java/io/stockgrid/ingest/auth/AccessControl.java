package io.stockgrid.ingest.auth;

import io.github.bucket4j.TimeMeter;
import io.stockgrid.ingest.IngestMetrics;
import org.agrona.concurrent.EpochClock;
import io.stockgrid.ingest.FilePoller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may call, and how often: both doors ask this, per request, before anything reaches the pipeline, so a refused
 * call changes nothing and journals nothing.
 * <ol>
 *   <li>{@link #authenticate}: the secret (HTTP bearer token, binary HELLO) to a key, or null (401 UNAUTHENTICATED).
 *   With no keys configured ({@link #open()}) every call passes as an anonymous caller.</li>
 *   <li>{@link #admit}: the key's scope for the route or message (403 FORBIDDEN), then one token from the key's
 *   bucket (429 RATE_LIMITED with the wait). Buckets are per key and never block, so a client over its budget is
 *   refused at once and costs nobody else anything; the node-wide in-flight bound (503 OVERLOADED) stays behind
 *   this.</li>
 * </ol>
 * The keys file is re-read when its content changes ({@link #startWatching}, every 2 s by default): a good file
 * replaces the keys at once (a removed key's next call is refused), a bad one is refused with one log line and the
 * keys in force stay.
 */
public final class AccessControl implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    /** {@link #admit} answers: allowed, or refused for lack of the scope; a positive answer is the wait in ns. */
    public static final long ALLOWED = 0;
    public static final long FORBIDDEN = -1;
    public static final long WATCH_INTERVAL_MS_DEFAULT = 2_000;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() ->
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    });
    private static final String BEARER = "Bearer ";

    private final Path file;
    private final TimeMeter meter;
    private volatile Keyring keyring;
    private volatile IngestMetrics metrics;
    private byte[] lastContentHash;
    private FilePoller watcher;

    private AccessControl(final Path file, final TimeMeter meter, final Keyring keyring, final byte[] contentHash)
    {
        this.file = file;
        this.meter = meter;
        this.keyring = keyring;
        this.lastContentHash = contentHash;
    }

    /** No keys: every call is admitted, anonymously (the caller is journaled as none). */
    public static AccessControl open()
    {
        return new AccessControl(null, TimeMeter.SYSTEM_MILLISECONDS, Keyring.EMPTY, null);
    }

    /**
     * Keys from {@code file}, read now; rate buckets count time by {@code clock} (tests drive it by hand).
     *
     * @throws KeyFile.Invalid naming what is wrong with the file: the node refuses to start on it.
     */
    public static AccessControl fromFile(final Path file, final EpochClock clock) throws KeyFile.Invalid
    {
        final TimeMeter meter = new TimeMeter()
        {
            @Override
            public long currentTimeNanos()
            {
                return clock.time() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased()
            {
                return true;
            }
        };
        final byte[] content = readBounded(file);
        final List<ApiKey> keys = KeyFile.parse(content, file.toString());
        return new AccessControl(file, meter, Keyring.of(keys, Keyring.EMPTY, meter), sha256(content));
    }

    /** Lets {@link #admit} count calls per key and outcome, and 401s per door. */
    public void attachMetrics(final IngestMetrics metrics)
    {
        this.metrics = metrics;
        metrics.registerKeyCount(() -> keyring.size());
    }

    /** True if calls must carry a key; false when no keys file is configured. */
    public boolean enabled()
    {
        return file != null;
    }

    /** The keys in force (immutable; a reload swaps in another). */
    public Keyring keyring()
    {
        return keyring;
    }

    /**
     * The key whose secret this is, or null if none (also for a null or empty secret). Counts a failure as a 401 of
     * {@code door}. Only meaningful when {@link #enabled()}.
     */
    public Keyring.Entry authenticate(final String secret, final String door)
    {
        final Keyring.Entry entry = secret == null || secret.isEmpty() ? null : keyring.find(sha256(secret));
        if (entry == null)
        {
            recordUnauthenticated(door);
        }
        return entry;
    }

    /** As {@link #authenticate}, from an HTTP {@code Authorization} header value ({@code Bearer <secret>}). */
    public Keyring.Entry authenticateBearer(final String authorization, final String door)
    {
        if (authorization == null || authorization.length() <= BEARER.length()
            || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        {
            recordUnauthenticated(door);
            return null;
        }
        return authenticate(authorization.substring(BEARER.length()).trim(), door);
    }

    /**
     * For a connection that authenticated once (binary): the same key in the keyring now in force, or null if a
     * reload removed it or changed its secret. Allocates nothing while the keyring is unchanged.
     */
    public Keyring.Entry current(final Keyring.Entry entry)
    {
        final Keyring now = keyring;
        final Keyring.Entry same = now.find(entry.hash);
        return same != null && same.key.id().equals(entry.key.id()) ? same : null;
    }

    /** Counts a 401 (a revoked key found by {@link #current}, or a missing one) against {@code door}. */
    public void recordUnauthenticated(final String door)
    {
        final IngestMetrics m = metrics;
        if (m != null)
        {
            m.recordUnauthenticated(door);
        }
    }

    /**
     * Checks the key's scope, then takes one token from its bucket. Answers {@link #ALLOWED}, {@link #FORBIDDEN}, or
     * the nanoseconds until a token is there (RATE_LIMITED). A null entry (no keys configured) is always allowed.
     */
    public long admit(final Keyring.Entry entry, final Scope scope)
    {
        if (entry == null)
        {
            return ALLOWED;
        }
        final IngestMetrics m = metrics;
        if (!entry.has(scope))
        {
            if (m != null)
            {
                count(m, entry, IngestMetrics.KeyOutcome.FORBIDDEN);
            }
            return FORBIDDEN;
        }
        if (entry.bucket.tryConsume(1))
        {
            if (m != null)
            {
                count(m, entry, IngestMetrics.KeyOutcome.ALLOWED);
            }
            return ALLOWED;
        }
        if (m != null)
        {
            count(m, entry, IngestMetrics.KeyOutcome.RATE_LIMITED);
        }
        return Math.max(1, entry.bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
    }

    private static void count(final IngestMetrics m, final Keyring.Entry entry, final IngestMetrics.KeyOutcome outcome)
    {
        io.prometheus.metrics.core.datapoints.CounterDataPoint point = switch (outcome)
        {
            case ALLOWED -> entry.allowed;
            case FORBIDDEN -> entry.forbidden;
            case RATE_LIMITED -> entry.rateLimited;
        };
        if (point == null)
        {
            point = m.keyCallPoint(entry.id(), outcome);
            switch (outcome)
            {
                case ALLOWED -> entry.allowed = point;
                case FORBIDDEN -> entry.forbidden = point;
                case RATE_LIMITED -> entry.rateLimited = point;
            }
        }
        point.inc();
    }

    /** Polls the keys file every {@code intervalMs} and reloads it when its content changed. */
    public synchronized void startWatching(final long intervalMs)
    {
        if (file == null || watcher != null)
        {
            return;
        }
        watcher = new FilePoller("stockgrid-keys-watcher", intervalMs, this::reloadIfChanged, LOG,
            "the keys in force");
    }

    /**
     * Re-reads the keys file now; if its content changed, checks it and swaps the keys in (true), or refuses it with
     * one log line and keeps the keys in force (false). False also when nothing changed. Tests call it to reload
     * without waiting for the poll.
     */
    public synchronized boolean reloadIfChanged()
    {
        if (file == null)
        {
            return false;
        }
        final byte[] content;
        try
        {
            content = readBounded(file);
        }
        catch (final KeyFile.Invalid ex)
        {
            final byte[] marker = sha256("unreadable:" + ex.getMessage());
            if (!Arrays.equals(marker, lastContentHash))
            {
                lastContentHash = marker;
                LOG.warn("{}; the {} keys in force stay", ex.getMessage(), keyring.size());
            }
            return false;
        }
        final byte[] hash = sha256(content);
        if (Arrays.equals(hash, lastContentHash))
        {
            return false;
        }
        lastContentHash = hash;
        final List<ApiKey> keys;
        try
        {
            keys = KeyFile.parse(content, file.toString());
        }
        catch (final KeyFile.Invalid ex)
        {
            LOG.warn("keys file refused, the {} keys in force stay: {}", keyring.size(), ex.getMessage());
            return false;
        }
        final Keyring before = keyring;
        keyring = Keyring.of(keys, before, meter);
        final Set<String> was = ids(before);
        final Set<String> now = ids(keyring);
        final Set<String> added = new HashSet<>(now);
        added.removeAll(was);
        final Set<String> removed = new HashSet<>(was);
        removed.removeAll(now);
        LOG.info("keys file {} reloaded: {} keys (added {}, removed {})", file, keyring.size(), added, removed);
        return true;
    }

    private static Set<String> ids(final Keyring ring)
    {
        final Set<String> ids = new HashSet<>();
        for (final Keyring.Entry e : ring.entries())
        {
            ids.add(e.id());
        }
        return ids;
    }

    private static byte[] readBounded(final Path file) throws KeyFile.Invalid
    {
        try
        {
            final long size = Files.size(file);
            if (size > KeyFile.FILE_BYTES_MAX)
            {
                throw new KeyFile.Invalid("keys file " + file + " is " + size + " bytes; at most "
                    + KeyFile.FILE_BYTES_MAX);
            }
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new KeyFile.Invalid("keys file " + file + " cannot be read: " + ex);
        }
    }

    private static byte[] sha256(final byte[] bytes)
    {
        final MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(bytes);
    }

    private static byte[] sha256(final String secret)
    {
        return sha256(secret.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public synchronized void close()
    {
        if (watcher != null)
        {
            watcher.close();
            watcher = null;
        }
    }
}
