package io.stockgrid.grid;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.SweepOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sweep each member runs over the records it owns (together the members cover the grid once, and a promoted
 * backup is swept by its new owner): expires HELD reservations past their time and returns their holds, returns the
 * holds owed by earlier give-ups, abandons PENDING reservations of members that left, and, less often, finishes the
 * holds a flow left half-done. One sweep runs at a time (the node's sweep timer).
 */
final class ExpirySweep
{
    /** A hold still on a record this long after its expiry was left behind by a flow that stopped half-way. */
    static final long LEFTOVER_GRACE_MS = 2_000;
    static final int MAX_LEFTOVER_KEYS_PER_SWEEP = 1_000;
    /**
     * How often the sweep scans every stock record for leftover holds. It is a full scan (the stock map carries no
     * index), and leftovers arise only when a flow stopped half-way, so it runs far less often than the expiry step.
     */
    static final long LEFTOVER_SCAN_INTERVAL_MS = 10_000;
    /** After a member leaves, how long, and how often, the sweep looks for reservations it left PENDING. */
    private static final long ORPHAN_SCAN_WINDOW_NS = 20_000_000_000L;
    private static final long ORPHAN_SCAN_INTERVAL_NS = 1_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(ExpirySweep.class);

    private final HazelcastInstance hazelcast;
    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final AttemptFencing fencing;
    private volatile long nextLeftoverScanMs;
    /** Until when the sweep looks for PENDING reservations whose member left (backups are promoted meanwhile). */
    private volatile long orphanScanUntilNs;
    private volatile long nextOrphanScanNs;

    ExpirySweep(final HazelcastInstance hazelcast, final GridTable<StockKey, StockRecord> stock,
        final GridTable<String, ReservationRecord> reservations, final AttemptFencing fencing)
    {
        this.hazelcast = hazelcast;
        this.stock = stock;
        this.reservations = reservations;
        this.fencing = fencing;
    }

    /** One sweep at {@code nowMs}, expiring at most {@code maxReservations} reservations. */
    SweepOutcome sweep(final long nowMs, final int maxReservations)
    {
        final List<ReservationState> transitions = new ArrayList<>();
        final List<KeyEffect> effects = new ArrayList<>();
        expireDue(nowMs, maxReservations, transitions, effects);
        fencing.returnOwedHolds(nowMs, effects);
        abandonOrphans(nowMs, effects);
        // Holds that outlived their expiry by the grace period were left by a flow that stopped half-way (a
        // crash between deciding a reservation's phase and applying it to its lines): finish that flow.
        if (nowMs >= nextLeftoverScanMs)
        {
            nextLeftoverScanMs = nowMs + LEFTOVER_SCAN_INTERVAL_MS;
            finishLeftovers(nowMs, effects);
        }
        return transitions.isEmpty() && effects.isEmpty() ? SweepOutcome.EMPTY :
            new SweepOutcome(transitions, effects);
    }

    private void expireDue(final long nowMs, final int maxReservations, final List<ReservationState> transitions,
        final List<KeyEffect> effects)
    {
        final Set<String> due = reservations.localKeysAtMost("heldUntilMs", nowMs);
        if (due.isEmpty())
        {
            return;
        }
        // As one batch (applyBatch, not executeOnKeys): the expiry must be on the backup before its holds are
        // returned, or a primary lost in between would leave a HELD reservation without its units.
        final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> batch =
            new HashMap<>();
        final List<JournaledProcessor<String, ReservationRecord, ReservationResult>> expire =
            List.of(new ReservationProcessors.Expire(nowMs));
        for (final String id : due)
        {
            if (batch.size() >= maxReservations)
            {
                break;
            }
            batch.put(id, expire);
        }
        for (final ArrayList<ReservationResult> results : reservations.applyBatch(batch).values())
        {
            final ReservationResult r = results.get(0);
            if (r.code() == ReservationResult.Code.TRANSITIONED)
            {
                transitions.add(r.state());
                // Only the expired attempt's holds: a reservation that expired while still PENDING may be begun
                // afresh at once (nobody was answered), and the retry's holds must stay.
                final long attempt = r.attempt();
                AttemptFencing.applyToLines(stock, r.state().reservationId(), r.state().lines(),
                    id -> StockProcessors.ReleaseHold.ofAttempt(id, KeyEffect.Kind.EXPIRE, attempt),
                    KeyEffect.Kind.EXPIRE, nowMs, effects);
            }
        }
    }

    private void finishLeftovers(final long nowMs, final List<KeyEffect> effects)
    {
        final long cutoffMs = nowMs - LEFTOVER_GRACE_MS;
        final Set<StockKey> overdue = stock.localKeysAtMost("earliestExpiryMs", cutoffMs);
        int scanned = 0;
        for (final StockKey key : overdue)
        {
            if (scanned++ >= MAX_LEFTOVER_KEYS_PER_SWEEP)
            {
                break;
            }
            final List<String> ids = stock.executeOnKey(key, new StockProcessors.ExpiredHoldsScan(cutoffMs));
            for (final String id : ids)
            {
                final ReservationRecord record = reservations.get(id);
                final ReservationPhase phase = record == null ? null : record.phase();
                if (phase != null && phase.holdsStock())
                {
                    continue; // the reservation sweep above expires it
                }
                final boolean committed = phase == ReservationPhase.COMMITTED;
                final KeyEffect.Kind kind = committed ? KeyEffect.Kind.COMMIT :
                    phase == ReservationPhase.RELEASED ? KeyEffect.Kind.RELEASE : KeyEffect.Kind.EXPIRE;
                // A forgotten (or never finished) reservation's overdue hold is returned only while it is still the
                // overdue one: a retry may since have begun this id afresh and placed a hold of its own.
                final KeyResult r = stock.executeOnKey(key, committed ?
                    new StockProcessors.CommitHold(id) : StockProcessors.ReleaseHold.ifOverdue(id, kind, cutoffMs));
                if (r.changed())
                {
                    effects.add(r.effect(key.getSku(), key.getLocation(), kind, id, r.quantity(), 0, nowMs));
                    LOG.info("sweep finished a half-done {} of reservation {} on {}", kind, id, key);
                }
            }
        }
    }

    /** A member left: reservations it was making may be left PENDING here, now or once backups are promoted. */
    void orphansMayExist()
    {
        orphanScanUntilNs = System.nanoTime() + ORPHAN_SCAN_WINDOW_NS;
        nextOrphanScanNs = System.nanoTime(); // the next sweep scans at once
    }

    /**
     * Abandons the PENDING reservations this member owns whose coordinating member is no longer in the cluster. Such
     * a reservation will never be finished: nobody was answered, so it is forgotten and its holds returned, as a
     * restart's reconcile does; a retry with the same id then starts afresh instead of hearing REQUEST_IN_PROGRESS
     * until the TTL. Only for a member that has left: a live member's call may still finish it, and releasing first
     * would race that Finish. (A live member's call that failed compensates itself; if that fails too, the
     * reservation expires at its TTL, fenced by its record first.)
     */
    private void abandonOrphans(final long nowMs, final List<KeyEffect> effects)
    {
        final long now = System.nanoTime();
        if (now - orphanScanUntilNs > 0 || now - nextOrphanScanNs < 0)
        {
            return;
        }
        nextOrphanScanNs = now + ORPHAN_SCAN_INTERVAL_NS;
        final Set<String> members = new HashSet<>();
        for (final Member m : hazelcast.getCluster().getMembers())
        {
            members.add(GridConfig.nodeIdOf(m));
        }
        final Set<String> pending = reservations.localKeysAtMost("pendingSinceMs", nowMs);
        for (final ReservationRecord record : reservations.getAll(pending).values())
        {
            if (record.phase() == ReservationPhase.PENDING && record.coordinator() != null
                && !members.contains(record.coordinator()) && fencing.forgetThenReturnHolds(record, nowMs, effects))
            {
                LOG.warn("sweep: reservation {} was still being made {} ms after it began by a member that has left; "
                    + "it is forgotten and its holds are returned", record.state().reservationId(),
                    nowMs - record.state().createdAtMs());
            }
        }
    }
}
