package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
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
        List<String> violations)
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
        final Map<StockKeyRef, List<KeyEffect>> effectsByKey = new HashMap<>();
        final Map<String, ReservationState> reservations = new HashMap<>();
        final Map<Long, Object> commandsWithoutOutcome = new LinkedHashMap<>();
        long lastSeq = 0;
        long records = 0;
        if (Files.isDirectory(journalDir))
        {
            try (ChronicleQueue queue = SingleChronicleQueueBuilder.binary(journalDir.toFile())
                .rollCycle(RollCycles.FAST_DAILY).readOnly(false).build();
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
                                reservations.put(r.reservationId(), r);
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

        final List<String> violations = new ArrayList<>();
        long gaps = 0;
        final List<RecoveredState.Key> keys = new ArrayList<>(effectsByKey.size());
        for (final Map.Entry<StockKeyRef, List<KeyEffect>> entry : effectsByKey.entrySet())
        {
            final KeyFold fold = new KeyFold(entry.getKey());
            final List<KeyEffect> effects = entry.getValue();
            effects.sort(Comparator.comparingLong(KeyEffect::version));
            for (final KeyEffect e : effects)
            {
                gaps += fold.apply(e, violations);
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
            violations);
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
        private final LinkedHashMap<String, RecoveredState.Hold> holds = new LinkedHashMap<>();
        private final LinkedHashMap<String, RecoveredState.SeenRequest> seen = new LinkedHashMap<>();

        KeyFold(final StockKeyRef key)
        {
            this.key = key;
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
