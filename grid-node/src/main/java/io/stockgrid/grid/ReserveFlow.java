package io.stockgrid.grid;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.LogThrottle;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The reservation flow, run for a batch of reservations at once with one grid operation per partition per step
 * instead of one per reservation: begin every record, hold every line (grouped by key, in arrival order, so a hot key
 * takes a whole burst in one operation), return the holds of the rejected ones, finish every record. Per reservation
 * the outcome is exactly that of the one-at-a-time flow; only the cost is shared.
 * <p>
 * A {@link Batch} does not send its own steps: it adds its commands to a step the {@link FlowApplier} sends, which
 * may carry another batch's commands for the same partitions too (this batch's begins with the previous batch's
 * finishes and a batch of settlements), and reads its results back by the positions it recorded. Only the rare
 * extra steps (returning a rejected reservation's holds, forgetting a conflicted one, returning a lapsed one's) are
 * sent by the batch itself, at once.
 */
final class ReserveFlow
{
    /** Most reservations in one batch; with 100 lines each, at most 25,600 holds in one batch. */
    static final int MAX_BATCH = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ReserveFlow.class);

    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final long retentionMs;
    /** This member's stable node id, recorded on the reservations it begins (the sweep checks it is still here). */
    private final String coordinator;

    record Pending(Commands.Reserve command, long nowMs, CompletableFuture<ReservationOutcome> future)
        implements FlowApplier.Call
    {
    }

    /** One reservation of a batch as the flow goes on. */
    private static final class Flow
    {
        final Pending pending;
        final long expiresAtMs;
        final List<ReservationLine> lines;
        final boolean[] held;
        final int[] position;
        final List<KeyEffect> effects = new ArrayList<>(2);
        final List<ShortLine> shortLines = new ArrayList<>(0);
        /** This call's tag on its record and its holds; never 0 (which means unknown). */
        final long attempt;
        /** Where this reservation's Begin, then its Finish, sits in its key's list of a step. */
        int recordPosition;
        /** A hold of an earlier attempt under this reservationId was found: this call gives up. */
        boolean conflict;
        /** The Finish to send (null: none, the flow was answered already). */
        JournaledProcessor<String, ReservationRecord, ReservationResult> finish;

        Flow(final Pending pending)
        {
            this.pending = pending;
            long tag;
            do
            {
                tag = ThreadLocalRandom.current().nextLong();
            }
            while (tag == 0);
            this.attempt = tag;
            this.expiresAtMs = pending.nowMs() + pending.command().ttlSeconds() * 1000L;
            this.lines = pending.command().lines();
            this.held = new boolean[lines.size()];
            this.position = new int[lines.size()];
        }

        String id()
        {
            return pending.command().reservationId();
        }
    }

    ReserveFlow(final GridTable<StockKey, StockRecord> stock, final GridTable<String, ReservationRecord> reservations,
        final long retentionMs, final String coordinator)
    {
        this.stock = stock;
        this.reservations = reservations;
        this.retentionMs = retentionMs;
        this.coordinator = coordinator;
    }

    /** Adds {@code processor} to {@code key}'s list in {@code step}; answers its position there. */
    static <K, V, R> int add(final Map<K, List<JournaledProcessor<K, V, R>>> step, final K key,
        final JournaledProcessor<K, V, R> processor)
    {
        final List<JournaledProcessor<K, V, R>> onKey = step.computeIfAbsent(key, k -> new ArrayList<>(2));
        onKey.add(processor);
        return onKey.size() - 1;
    }

    /** One batch of reservations on its way through the flow. */
    final class Batch
    {
        private final List<Flow> flows;
        private List<Flow> active = List.of();

        Batch(final List<Pending> batch)
        {
            this.flows = new ArrayList<>(batch.size());
            for (final Pending p : batch)
            {
                flows.add(new Flow(p));
            }
        }

        /** 1. Begin every reservation record (a step on the reservations table). */
        void addBegins(final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> step)
        {
            for (int i = 0; i < flows.size(); i++)
            {
                final Flow flow = flows.get(i);
                final Pending p = flow.pending;
                final Commands.Reserve c = p.command();
                if (beganInThisBatch(step.get(c.reservationId())))
                {
                    // The pipeline lets one call per id be in flight on this node; should an id still appear twice,
                    // the later one is simply told the first is in progress.
                    p.future().complete(ReservationOutcome.of(ReservationOutcome.Code.IN_PROGRESS, null));
                    flows.remove(i--);
                    continue;
                }
                final ReservationState pending = new ReservationState(c.reservationId(), ReservationPhase.PENDING,
                    null, 1, p.nowMs(), flow.expiresAtMs, flow.expiresAtMs + retentionMs, c.fingerprint(),
                    c.correlationId(), c.lines(), List.of(), c.createdBy());
                flow.recordPosition = add(step, c.reservationId(),
                    new ReservationProcessors.Begin(pending, p.nowMs(), coordinator, flow.attempt));
            }
        }

        /** Whether a key's list in a step already has a Begin (only this batch adds begins to a step). */
        private static boolean beganInThisBatch(
            final List<JournaledProcessor<String, ReservationRecord, ReservationResult>> onId)
        {
            if (onId != null)
            {
                for (final JournaledProcessor<String, ReservationRecord, ReservationResult> processor : onId)
                {
                    if (processor instanceof ReservationProcessors.Begin)
                    {
                        return true;
                    }
                }
            }
            return false;
        }

        /**
         * The begin step failed. Some records may have been created (a member left mid-call, a backup did not
         * answer): forget the ones this batch began, so a retry is not told REQUEST_IN_PROGRESS; nothing was held
         * yet. The answer is a failure the caller may retry.
         */
        void beginFailed(final RuntimeException ex)
        {
            final long deadlineNs = System.nanoTime() + COMPENSATION_BUDGET_NS;
            for (final Flow flow : flows)
            {
                withRetries(flow, deadlineNs, () -> reservations.executeOnKey(flow.id(),
                    new ReservationProcessors.Abandon(flow.attempt)));
                flow.pending.future().completeExceptionally(ex);
            }
        }

        /** Reads the begin step's results; answers whether any reservation goes on to hold its lines. */
        boolean afterBegin(final Map<String, ArrayList<ReservationResult>> begun)
        {
            final List<Flow> created = new ArrayList<>(flows.size());
            for (final Flow flow : flows)
            {
                final ReservationResult r = begun.get(flow.id()).get(flow.recordPosition);
                switch (r.code())
                {
                    case CREATED -> created.add(flow);
                    case MISMATCH -> flow.pending.future().complete(
                        ReservationOutcome.of(ReservationOutcome.Code.FINGERPRINT_MISMATCH, null));
                    case FULL ->
                    {
                        // Nothing was created or held: "try later" (503), never an unbounded grid.
                        logFull(flow.id());
                        flow.pending.future().complete(ReservationOutcome.of(ReservationOutcome.Code.FAILED, null));
                    }
                    case EXISTS -> flow.pending.future().complete(ReservationOutcome.of(
                        r.state().phase() == ReservationPhase.PENDING ?
                            ReservationOutcome.Code.IN_PROGRESS : ReservationOutcome.Code.REPLAYED, r.state()));
                    default -> flow.pending.future().completeExceptionally(
                        new IllegalStateException("unexpected begin result " + r));
                }
            }
            active = created;
            return !active.isEmpty();
        }

        /** 2. Hold every line, grouped by key in arrival order (a step on the stock table). */
        void addHolds(final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> step)
        {
            for (final Flow flow : active)
            {
                for (int i = 0; i < flow.lines.size(); i++)
                {
                    final ReservationLine line = flow.lines.get(i);
                    flow.position[i] = add(step, new StockKey(line.sku(), line.location()),
                        new StockProcessors.Hold(flow.id(), line.quantity(), flow.expiresAtMs, flow.attempt));
                }
            }
        }

        /** The hold or the finish step failed part-way: compensate every reservation still going on. */
        void failed(final RuntimeException ex)
        {
            LOG.warn("reserve batch of {} failed part-way; compensating", active.size(), ex);
            compensate(active);
            active = List.of();
        }

        /**
         * Reads the hold step's results and prepares every record's Finish. A rejected (or conflicted) reservation's
         * holds are returned here, in steps of their own, before it is answered.
         */
        void afterHold(final Map<StockKey, ArrayList<KeyResult>> held)
        {
            final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> releases = new HashMap<>();
            final List<Flow> rejected = new ArrayList<>(0);
            final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> abandons =
                new HashMap<>(0);
            for (final Flow flow : active)
            {
                for (int i = 0; i < flow.lines.size(); i++)
                {
                    final ReservationLine line = flow.lines.get(i);
                    final KeyResult r = held.get(new StockKey(line.sku(), line.location())).get(flow.position[i]);
                    switch (r.code())
                    {
                        case APPLIED ->
                        {
                            flow.held[i] = true;
                            flow.effects.add(r.effect(line.sku(), line.location(), KeyEffect.Kind.HOLD, flow.id(),
                                line.quantity(), flow.expiresAtMs, flow.pending.nowMs()));
                        }
                        case ALREADY_HELD -> flow.held[i] = true;
                        case CONFLICT -> flow.conflict = true;
                        case SHORT -> flow.shortLines.add(new ShortLine(line.sku(), line.location(),
                            line.quantity(), r.quantity()));
                        default -> throw new IllegalStateException("unexpected hold result " + r);
                    }
                }
                if (flow.conflict)
                {
                    // An earlier call under this id still has a hold here (its record was forgotten while it ran: its
                    // member left, or it failed and is compensating). Taking that hold over would let the earlier
                    // call's release take it from this one; instead this call returns its own holds, forgets its
                    // record and is answered REQUEST_IN_PROGRESS, and a retry finds the earlier hold gone.
                    rejected.add(flow);
                    addReleases(flow, releases);
                    abandons.put(flow.id(), List.of(new ReservationProcessors.Abandon(flow.attempt)));
                }
                else if (flow.shortLines.isEmpty())
                {
                    flow.finish = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
                        flow.pending.nowMs(), flow.attempt);
                }
                else
                {
                    rejected.add(flow);
                    addReleases(flow, releases);
                    flow.finish = new ReservationProcessors.Finish(ReservationPhase.REJECTED,
                        List.copyOf(flow.shortLines), flow.pending.nowMs(), flow.attempt);
                }
            }

            // 3. Return the holds of the rejected (and conflicted) ones, before they are answered.
            if (!releases.isEmpty())
            {
                recordReleases(rejected, releases, stock.applyBatch(releases), KeyEffect.Kind.RELEASE);
            }
            if (!abandons.isEmpty())
            {
                reservations.applyBatch(abandons);
                for (final Flow flow : active)
                {
                    if (flow.conflict)
                    {
                        flow.pending.future().complete(new ReservationOutcome(ReservationOutcome.Code.IN_PROGRESS,
                            null, flow.effects));
                    }
                }
            }
        }

        /** Reservations still going on in this batch. */
        int size()
        {
            return active.size();
        }

        /** Whether {@link #addFinishes} has anything to add. */
        boolean hasFinishes()
        {
            for (final Flow flow : active)
            {
                if (flow.finish != null)
                {
                    return true;
                }
            }
            return false;
        }

        /** 4. Finish every record (a step on the reservations table). */
        void addFinishes(final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> step)
        {
            for (final Flow flow : active)
            {
                if (flow.finish != null)
                {
                    flow.recordPosition = add(step, flow.id(), flow.finish);
                }
            }
        }

        /** Reads the finish step's results and answers every reservation. */
        void afterFinish(final Map<String, ArrayList<ReservationResult>> finished)
        {
            final List<Flow> lapsed = new ArrayList<>(0);
            for (final Flow flow : active)
            {
                if (flow.finish == null)
                {
                    continue;
                }
                final ReservationResult r = finished.get(flow.id()).get(flow.recordPosition);
                if (r.code() == ReservationResult.Code.TRANSITIONED)
                {
                    flow.pending.future().complete(new ReservationOutcome(flow.shortLines.isEmpty() ?
                        ReservationOutcome.Code.HELD : ReservationOutcome.Code.REJECTED, r.state(), flow.effects));
                }
                else if (r.code() == ReservationResult.Code.ALREADY)
                {
                    // This attempt's outcome is already recorded (the grid ran this Finish before, on a replica that
                    // was then promoted): its holds are the reservation's and stay. Answer what is recorded.
                    LOG.warn("reservation {} (attempt {}): its Finish found the outcome already recorded ({})",
                        flow.id(), flow.attempt, r.state().phase());
                    flow.pending.future().complete(new ReservationOutcome(ReservationOutcome.Code.REPLAYED,
                        r.state(), flow.effects));
                }
                else
                {
                    lapsed.add(flow);
                }
            }
            if (!lapsed.isEmpty())
            {
                // Expired (or lost) while its lines were being held: hand the units back and answer what is recorded.
                final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> expiries =
                    new HashMap<>();
                for (final Flow flow : lapsed)
                {
                    addReleases(flow, expiries);
                }
                recordReleases(lapsed, expiries, stock.applyBatch(expiries), KeyEffect.Kind.EXPIRE);
                for (final Flow flow : lapsed)
                {
                    final ReservationResult r = finished.get(flow.id()).get(flow.recordPosition);
                    LOG.info("reservation {} (attempt {}): its Finish found {} ({}); this attempt's holds are returned",
                        flow.id(), flow.attempt, r.code(), r.state() == null ? "no record" : r.state().phase());
                    // NOT_FOUND: this call's record is gone (forgotten while it ran); what is recorded now, if
                    // anything, is another call's, so this one failed and the caller retries to learn the outcome.
                    flow.pending.future().complete(r.code() == ReservationResult.Code.NOT_FOUND ?
                        new ReservationOutcome(ReservationOutcome.Code.FAILED, null, flow.effects) :
                        new ReservationOutcome(ReservationOutcome.Code.REPLAYED, r.state(), flow.effects));
                }
            }
        }

        /** Fails every call of the batch not answered yet (after an unexpected error; answered ones keep theirs). */
        void failRemaining(final Throwable cause)
        {
            for (final Flow flow : flows)
            {
                flow.pending.future().completeExceptionally(cause);
            }
        }
    }

    private final LogThrottle fullLog = new LogThrottle(10_000_000_000L);

    /** At most one line per 10 s, with how many were refused since the last. */
    private void logFull(final String id)
    {
        final long unlogged = fullLog.tryLog();
        if (unlogged >= 0)
        {
            LOG.warn("{} reservation(s) refused (503, retry later), e.g. {}: its partition holds its share of "
                + "--max-reservations; reservations are remembered for their TTL plus --idempotency-retention-hours. "
                + "Raise --max-reservations (with the heap), or shorten the retention", unlogged + 1, id);
        }
    }

    /** Queues a release of every line the flow holds; remembers where each result will be. */
    private static void addReleases(final Flow flow,
        final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> releases)
    {
        for (int i = 0; i < flow.lines.size(); i++)
        {
            if (flow.held[i])
            {
                final ReservationLine line = flow.lines.get(i);
                final List<JournaledProcessor<StockKey, StockRecord, KeyResult>> onKey = releases.computeIfAbsent(
                    new StockKey(line.sku(), line.location()), k -> new ArrayList<>(2));
                flow.position[i] = onKey.size();
                onKey.add(StockProcessors.ReleaseHold.ofAttempt(flow.id(), KeyEffect.Kind.RELEASE, flow.attempt));
            }
        }
    }

    /** Reads back the releases {@link #addReleases} queued for exactly these flows. */
    private static void recordReleases(final List<Flow> flows,
        final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> releases,
        final Map<StockKey, ArrayList<KeyResult>> results, final KeyEffect.Kind kind)
    {
        for (final Flow flow : flows)
        {
            for (int i = 0; i < flow.lines.size(); i++)
            {
                final ReservationLine line = flow.lines.get(i);
                final StockKey key = new StockKey(line.sku(), line.location());
                if (flow.held[i])
                {
                    final KeyResult r = results.get(key).get(flow.position[i]);
                    if (r.changed())
                    {
                        flow.effects.add(r.effect(line.sku(), line.location(), kind,
                            flow.id(), r.quantity(), 0, flow.pending.nowMs()));
                    }
                    flow.held[i] = false;
                }
            }
        }
    }

    /**
     * After a failure part-way: forget the PENDING records and return every line's hold (idempotent: a line never
     * held answers NO_HOLD), and answer FAILED with whatever changed, so the caller may retry with the same id.
     */
    private static final int COMPENSATION_ATTEMPTS = 4;
    private static final long COMPENSATION_BACKOFF_MS = 500;
    /** Retries of one batch's compensations stop after this (each is still tried once): the applier must move on. */
    private static final long COMPENSATION_BUDGET_NS = 5_000_000_000L;

    /**
     * A batch fails part-way mostly because a member left: its partitions answer again once their backups are
     * promoted, so a compensation is tried a few times (blocking this applier briefly) before it is left to the
     * sweep.
     */
    private static void withRetries(final Flow flow, final long deadlineNs, final Runnable compensation)
    {
        for (int attempt = 1; attempt <= COMPENSATION_ATTEMPTS; attempt++)
        {
            try
            {
                compensation.run();
                return;
            }
            catch (final RuntimeException failure)
            {
                if (attempt == COMPENSATION_ATTEMPTS || System.nanoTime() - deadlineNs > 0)
                {
                    LOG.warn("compensation of reservation {} failed {} times; the sweep will forget it", flow.id(),
                        attempt, failure);
                    return;
                }
                try
                {
                    Thread.sleep(COMPENSATION_BACKOFF_MS * attempt);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Forgets the flow's record and returns its holds, unless the record shows this call's outcome took effect: a
     * batch can fail after its Finish did (a backup that did not answer in time), and then the record is HELD and
     * its holds must stay (a retry is answered HELD from it). The record goes first, fenced by the attempt (a Finish
     * of this call still retried by the grid then finds nothing); then only this attempt's holds go, which is safe
     * whatever the record now says: forgotten by the sweep meanwhile (if this member was thought gone), or begun
     * afresh by a retry, whose holds carry another attempt.
     */
    private void releaseAndAbandon(final Flow flow)
    {
        final AttemptFencing.GiveUp found = AttemptFencing.forgetAttempt(reservations, flow.id(), flow.attempt);
        if (found == AttemptFencing.GiveUp.DECIDED)
        {
            LOG.warn("compensation: reservation {} (attempt {}) is already decided: its holds stay", flow.id(),
                flow.attempt);
            return;
        }
        LOG.warn("compensation: reservation {} (attempt {}) {}; returning this attempt's holds", flow.id(),
            flow.attempt, found == AttemptFencing.GiveUp.FORGOTTEN ? "forgotten" : "was forgotten before");
        AttemptFencing.returnAttemptHolds(stock, flow.id(), flow.attempt, flow.lines, flow.pending.nowMs(),
            flow.effects);
    }

    private void compensate(final List<Flow> active)
    {
        final long deadlineNs = System.nanoTime() + COMPENSATION_BUDGET_NS;
        for (final Flow flow : active)
        {
            withRetries(flow, deadlineNs, () -> releaseAndAbandon(flow));
            flow.pending.future().complete(new ReservationOutcome(ReservationOutcome.Code.FAILED, null,
                flow.effects));
        }
    }
}
