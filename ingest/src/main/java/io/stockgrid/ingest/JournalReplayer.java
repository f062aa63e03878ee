package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the grid's state from the journal. The grid's own records are the truth: an EFFECT record for every
 * change to a stock record and a RESERVATION record for every change to a reservation, each appended on the
 * record's partition thread as the change was made. Per key, effects are folded in version order; per reservation
 * the last record wins. The result is the grid exactly as it was when the process stopped, half-done calls included
 * (a PENDING reservation, a hold whose reservation is already COMMITTED); the node finishes those through the grid
 * after restoring (see HazelcastInventoryService.reconcile), so that finishing them is journaled too.
 * <p>
 * The ingest's COMMAND and OUTCOME records are the acknowledgement trail: a command with no outcome was never
 * acknowledged, and is reported as in doubt.
 * <p>
 * The no-oversell invariant is checked again here: every hold must have fitted the availability left by the
 * versions before it, and every effect's after-image must equal the fold. A violation is reported, never repaired
 * silently.
 */
public final class JournalReplayer
{
    private static final Logger LOG = LoggerFactory.getLogger(JournalReplayer.class);
    private static final long PROGRESS_INTERVAL_MS = 1_000;

    /** What replay found, beside the state itself. */
    public record Result(RecoveredState state, long lastSeq, long records, long commandsInDoubt, long versionGaps,
        List<String> violations, long resets)
    {
    }

    private JournalReplayer()
    {
    }

    /**
     * @param retentionMs how long eventIds and returnIds are remembered after they were applied.
     */
    public static Result replay(final Path journalDir, final long nowMs, final long retentionMs)
    {
        return replay(List.of(journalDir), nowMs, retentionMs);
    }

    /**
     * Replays several journal directories in order (a node's journal generations, oldest first), as one journal.
     */
    public static Result replay(final List<Path> journalDirs, final long nowMs, final long retentionMs)
    {
        final Map<StockKeyRef, List<KeyEffect>> effectsByKey = new HashMap<>();
        final Map<StockKeyRef, List<RecoveredState.Key>> snapshotsByKey = new HashMap<>();
        long resets = 0;
        final Map<String, ReservationState> reservations = new HashMap<>();
        final List<String> lifecycleViolations = new ArrayList<>();
        final Map<Long, Object> commandsWithoutOutcome = new LinkedHashMap<>();
        long lastSeq = 0;
        long records = 0;
        for (final Path journalDir : journalDirs)
        {
            if (!Files.isDirectory(journalDir))
            {
                continue;
            }
            try (ChronicleQueue queue = SingleChronicleQueueBuilder.binary(journalDir.toFile())
                .rollCycle(Journal.rollCycle()).readOnly(false).build();
                ExcerptTailer tailer = queue.createTailer())
            {
                long lastProgressMs = System.currentTimeMillis();
                while (true)
                {
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (!dc.isPresent())
                        {
                            break;
                        }
                        final Bytes<?> in = dc.wire().bytes();
                        final byte recordType = in.readByte();
                        final long seq = in.readLong();
                        in.readLong(); // atMs
                        final byte commandType = in.readByte();
                        records++;
                        if (recordType == JournalCodec.RECORD_COMMAND)
                        {
                            lastSeq = Math.max(lastSeq, seq);
                            commandsWithoutOutcome.put(seq, JournalCodec.decodeCommand(in, commandType));
                        }
                        else if (recordType == JournalCodec.RECORD_OUTCOME)
                        {
                            commandsWithoutOutcome.remove(seq);
                        }
                        else if (recordType == JournalCodec.RECORD_EFFECT)
                        {
                            final KeyEffect e = JournalCodec.readEffect(in);
                            effectsByKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
                        }
                        else if (recordType == JournalCodec.RECORD_KEY_SNAPSHOT)
                        {
                            final RecoveredState.Key k = JournalCodec.readKeySnapshot(in);
                            snapshotsByKey.computeIfAbsent(new StockKeyRef(k.sku(), k.location()),
                                x -> new ArrayList<>()).add(k);
                        }
                        else if (recordType == JournalCodec.RECORD_RESET)
                        {
                            // The member took the cluster's state here: what came before is superseded.
                            lastSeq = Math.max(lastSeq, seq);
                            effectsByKey.clear();
                            snapshotsByKey.clear();
                            reservations.clear();
                            lifecycleViolations.clear();
                            commandsWithoutOutcome.clear();
                            resets++;
                            LOG.info("journal replay: reset ({}); {} records before it are superseded",
                                in.readUtf8(), records - 1);
                        }
                        else if (recordType == JournalCodec.RECORD_SNAPSHOT_MARK)
                        {
                            lastSeq = Math.max(lastSeq, seq);
                        }
                        else if (recordType == JournalCodec.RECORD_RESERVATION)
                        {
                            final boolean removed = in.readBoolean();
                            final ReservationState r = JournalCodec.readReservation(in);
                            if (removed)
                            {
                                reservations.remove(r.reservationId());
                            }
                            else
                            {
                                final ReservationState before = reservations.put(r.reservationId(), r);
                                // Consecutive versions of one reservation (same creation) must be a step of the
                                // life cycle; states journaled by other members in between leave a gap, not checked.
                                if (before != null && before.createdAtMs() == r.createdAtMs()
                                    && r.version() == before.version() + 1
                                    && !ReservationLifecycle.mayFollow(before.phase(), r.phase()))
                                {
                                    lifecycleViolations.add(ReservationLifecycle.notAStep(r.reservationId(),
                                        "version " + before.version() + " " + before.phase(),
                                        "version " + r.version() + " " + r.phase()));
                                }
                            }
                        }
                        else
                        {
                            throw new IllegalStateException("unknown journal record type " + recordType);
                        }
                    }
                    final long now = System.currentTimeMillis();
                    if (now - lastProgressMs >= PROGRESS_INTERVAL_MS)
                    {
                        lastProgressMs = now;
                        LOG.info("journal replay: {} records read, {} keys, {} reservations so far", records,
                            effectsByKey.size(), reservations.size());
                    }
                }
            }
        }

        final List<String> violations = new ArrayList<>(lifecycleViolations);
        long gaps = 0;
        final List<RecoveredState.Key> keys = new ArrayList<>(effectsByKey.size());
        final java.util.Set<StockKeyRef> allKeys = new java.util.HashSet<>(effectsByKey.keySet());
        allKeys.addAll(snapshotsByKey.keySet());
        for (final StockKeyRef key : allKeys)
        {
            final KeyFold fold = new KeyFold(key);
            final List<KeyEffect> effects = effectsByKey.getOrDefault(key, new ArrayList<>());
            final List<RecoveredState.Key> snapshots = snapshotsByKey.getOrDefault(key, new ArrayList<>());
            effects.sort(Comparator.comparingLong(KeyEffect::version));
            snapshots.sort(Comparator.comparingLong(RecoveredState.Key::version));
            // Effects and whole-record snapshots in version order; a snapshot at version v is the record after v,
            // so it comes after the effect of v (if both were journaled).
            int s = 0;
            for (final KeyEffect e : effects)
            {
                while (s < snapshots.size() && snapshots.get(s).version() < e.version())
                {
                    fold.reset(snapshots.get(s++));
                }
                if (e.version() <= fold.version && fold.fromSnapshot)
                {
                    continue; // already inside the snapshot that reset the fold
                }
                gaps += fold.apply(e, violations);
            }
            while (s < snapshots.size())
            {
                fold.reset(snapshots.get(s++));
            }
            keys.add(fold.toKey(nowMs, retentionMs));
        }

        final List<ReservationState> kept = new ArrayList<>(reservations.size());
        for (final ReservationState r : reservations.values())
        {
            if (r.retainUntilMs() >= nowMs || r.phase().holdsStock())
            {
                kept.add(r);
            }
        }
        for (final Map.Entry<Long, Object> doubt : commandsWithoutOutcome.entrySet())
        {
            LOG.warn("journal replay: command seq {} has no outcome (never acknowledged), left out: {}",
                doubt.getKey(), doubt.getValue());
        }
        for (final String violation : violations)
        {
            LOG.error("journal replay: invariant violation: {}", violation);
        }
        LOG.info("journal replay done: {} records, {} keys, {} reservations, {} commands in doubt, {} version gaps, "
            + "{} violations", records, keys.size(), kept.size(), commandsWithoutOutcome.size(), gaps,
            violations.size());
        return new Result(new RecoveredState(keys, kept), lastSeq, records, commandsWithoutOutcome.size(), gaps,
            violations, resets);
    }

    /**
     * The later of two journaled states of one reservation id. Versions order the states of one reservation only: an
     * id reused after its retention starts a new reservation (the grid creates it afresh, at version 1) whose
     * createdAtMs is later than anything of the old one, since it is created only once the old one's retainUntilMs
     * has passed.
     */
    private static ReservationState later(final ReservationState a, final ReservationState b)
    {
        if (a.createdAtMs() != b.createdAtMs())
        {
            return b.createdAtMs() > a.createdAtMs() ? b : a;
        }
        return b.version() >= a.version() ? b : a;
    }

    /** Folds one key's effects in version order, checking each against the state before it. */
    private static final class KeyFold
    {
        private final StockKeyRef key;
        private long version;
        private long onHand;
        private long safetyStock;
        private long reserved;
        private boolean contiguous = true;
        /** True once a snapshot set the state: effects at or below its version are inside it. */
        private boolean fromSnapshot;
        private final LinkedHashMap<String, RecoveredState.Hold> holds = new LinkedHashMap<>();
        private final LinkedHashMap<String, RecoveredState.SeenRequest> seen = new LinkedHashMap<>();

        KeyFold(final StockKeyRef key)
        {
            this.key = key;
        }

        /** Starts afresh from a whole-record snapshot, unless the fold is already past it. */
        void reset(final RecoveredState.Key snapshot)
        {
            if (snapshot.version() < version)
            {
                return;
            }
            version = snapshot.version();
            onHand = snapshot.onHand();
            safetyStock = snapshot.safetyStock();
            holds.clear();
            reserved = 0;
            for (final RecoveredState.Hold hold : snapshot.holds())
            {
                holds.put(hold.reservationId(), hold);
                reserved += hold.quantity();
            }
            seen.clear();
            for (final RecoveredState.SeenRequest s : snapshot.seen())
            {
                seen.put(s.id(), s);
            }
            contiguous = true;
            fromSnapshot = true;
        }

        /** Returns 1 when a version gap was found before this effect. */
        int apply(final KeyEffect e, final List<String> violations)
        {
            int gap = 0;
            if (e.version() <= version)
            {
                violations.add(key + ": version " + e.version() + " journaled twice");
                return 0;
            }
            if (e.version() != version + 1)
            {
                // A mutation applied to the grid whose outcome never reached the journal (the process died in
                // between) and a later one that did: the after-images carry its effect on the scalars.
                gap = 1;
                contiguous = false;
                LOG.warn("journal replay: {} jumps from version {} to {}", key, version, e.version());
            }
            switch (e.kind())
            {
                case HOLD ->
                {
                    final long availableBefore = Availability.available(onHand, reserved, safetyStock);
                    if (contiguous && availableBefore < e.quantity())
                    {
                        violations.add(key + ": hold of " + e.quantity() + " for " + e.ref() + " at version "
                            + e.version() + " exceeded the " + availableBefore + " available");
                    }
                    holds.put(e.ref(), new RecoveredState.Hold(e.ref(), e.quantity(), e.expiresAtMs()));
                    reserved += e.quantity();
                }
                case RELEASE, EXPIRE, COMMIT ->
                {
                    final RecoveredState.Hold removed = holds.remove(e.ref());
                    if (removed != null)
                    {
                        reserved -= removed.quantity();
                    }
                    else if (contiguous)
                    {
                        violations.add(key + ": " + e.kind() + " of " + e.ref() + " with no hold");
                    }
                }
                case ADJUST -> remember(RecoveredState.adjustKey(e.ref()), e.atMs(),
                    RecoveredState.adjustFingerprint(e.quantity()));
                case RETURN_RESTOCK -> remember(RecoveredState.returnKey(e.ref()), e.atMs(),
                    RecoveredState.returnFingerprint(e.quantity(), true));
                case RETURN_DAMAGED -> remember(RecoveredState.returnKey(e.ref()), e.atMs(),
                    RecoveredState.returnFingerprint(e.quantity(), false));
                case SET ->
                {
                }
            }
            onHand = e.onHand();
            safetyStock = e.safetyStock();
            version = e.version();
            if (contiguous && e.reserved() != reserved)
            {
                violations.add(key + ": reserved after version " + e.version() + " is " + e.reserved()
                    + " in the journal but " + reserved + " by the fold");
            }
            return gap;
        }

        private void remember(final String key, final long atMs, final long fingerprint)
        {
            seen.put(key, new RecoveredState.SeenRequest(key, atMs, fingerprint));
        }

        RecoveredState.Key toKey(final long nowMs, final long retentionMs)
        {
            final List<RecoveredState.SeenRequest> kept = new ArrayList<>();
            for (final RecoveredState.SeenRequest s : seen.values())
            {
                if (s.atMs() + retentionMs >= nowMs)
                {
                    kept.add(s);
                }
            }
            return new RecoveredState.Key(key.sku(), key.location(), onHand, safetyStock, version,
                new ArrayList<>(holds.values()), kept);
        }
    }
}
