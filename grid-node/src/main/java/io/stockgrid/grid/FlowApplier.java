package io.stockgrid.grid;

import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.Overloaded;
import io.stockgrid.ingest.ReservationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the reservation and settlement flows on one applier thread, in rounds of two grid steps that several batches
 * share, so a partition gets one operation per step however many flows have business with it:
 * <pre>
 *   step R, reservations table:  Finish (previous round's reservations) + Begin (this round's) + Settle (this round's)
 *   step S, stock table:         CommitHold / ReleaseHold (this round's settlements) + Hold (this round's reservations)
 * </pre>
 * A reservation still takes three steps (begin, hold, finish) and a settlement two, as when each flow had its own
 * applier and sent its own steps; but a round of two steps now moves a batch of each, where the two appliers sent
 * five. The finish of a round's reservations waits only for the next round's step R, which is sent at once: when no
 * call is queued the finish goes alone.
 * <p>
 * Within one partition's operation the commands run in the order added (finishes, begins, settles; then commits and
 * releases before holds, so units a settlement frees are there for the holds of the same step). Each batch reads
 * its own results back by position; a failed step fails (and compensates) every batch that had commands in it, as
 * each flow did for its own steps before.
 */
final class FlowApplier extends BatchApplier<FlowApplier.Call>
{
    private static final Logger LOG = LoggerFactory.getLogger(FlowApplier.class);
    /** Most calls taken in one round. */
    static final int MAX_BATCH = ReserveFlow.MAX_BATCH;

    /** A call waiting for the applier: a reservation or a commit/release. */
    sealed interface Call permits ReserveFlow.Pending, SettleFlow.Pending
    {
        CompletableFuture<ReservationOutcome> future();
    }

    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final ReserveFlow reserveFlow;
    /** The calls of the round after the first of a burst (the applier thread's own, reused). */
    private final List<Call> next = new ArrayList<>(MAX_BATCH);
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong reserveBatches = new AtomicLong();
    private final AtomicLong reserveCalls = new AtomicLong();
    private final AtomicLong settleBatches = new AtomicLong();
    private final AtomicLong settleCalls = new AtomicLong();
    /** Rounds whose step R carried the previous round's finishes with new begins (tests: the sharing happens). */
    private final AtomicLong finishesWithBegins = new AtomicLong();
    /** Rounds that carried reservations and settlements together (tests). */
    private final AtomicLong settlesWithReserves = new AtomicLong();

    FlowApplier(final GridTable<StockKey, StockRecord> stock, final GridTable<String, ReservationRecord> reservations,
        final long retentionMs, final int queueCapacity, final String coordinator)
    {
        super("stockgrid-flow-applier", 1, queueCapacity, MAX_BATCH);
        this.stock = stock;
        this.reservations = reservations;
        this.reserveFlow = new ReserveFlow(stock, reservations, retentionMs, coordinator);
    }

    CompletableFuture<ReservationOutcome> reserve(final Commands.Reserve command, final long nowMs)
    {
        final CompletableFuture<ReservationOutcome> future = new CompletableFuture<>();
        return offer(new ReserveFlow.Pending(command, nowMs, future)) ? future :
            CompletableFuture.failedFuture(Overloaded.INSTANCE);
    }

    CompletableFuture<ReservationOutcome> settle(final Commands.Settle command, final long nowMs)
    {
        final CompletableFuture<ReservationOutcome> future = new CompletableFuture<>();
        return offer(new SettleFlow.Pending(command, nowMs, future)) ? future :
            CompletableFuture.failedFuture(Overloaded.INSTANCE);
    }

    /** Rounds run (each one step R and, if it had work, one step S). */
    long rounds()
    {
        return rounds.get();
    }

    long reserveBatches()
    {
        return reserveBatches.get();
    }

    long reserveCalls()
    {
        return reserveCalls.get();
    }

    long settleBatches()
    {
        return settleBatches.get();
    }

    long settleCalls()
    {
        return settleCalls.get();
    }

    long finishesWithBegins()
    {
        return finishesWithBegins.get();
    }

    long settlesWithReserves()
    {
        return settlesWithReserves.get();
    }

    @Override
    void fail(final Call call, final Throwable cause)
    {
        call.future().completeExceptionally(cause);
    }

    /**
     * Runs rounds while calls keep arriving: each round's reservations finish in the next round's step R. Returns
     * once the queue is empty (or the applier is closing) and the last round's reservations are finished.
     */
    @Override
    void apply(final List<Call> first)
    {
        List<Call> calls = first;
        ReserveFlow.Batch finishing = null;
        while (true)
        {
            finishing = round(calls, finishing);
            if (calls == next)
            {
                next.clear();
            }
            drainNow(next);
            if (next.isEmpty())
            {
                if (finishing != null)
                {
                    finishAlone(finishing);
                }
                return;
            }
            calls = next;
        }
    }

    /** One round; answers the batch whose reservations still need their Finish (null if none). */
    private ReserveFlow.Batch round(final List<Call> calls, final ReserveFlow.Batch finishing)
    {
        rounds.incrementAndGet();
        final List<ReserveFlow.Pending> reserves = new ArrayList<>(calls.size());
        final List<SettleFlow.Pending> settles = new ArrayList<>(0);
        for (final Call call : calls)
        {
            if (call instanceof ReserveFlow.Pending p)
            {
                reserves.add(p);
            }
            else
            {
                settles.add((SettleFlow.Pending)call);
            }
        }
        final ReserveFlow.Batch reserve = reserves.isEmpty() ? null : reserveFlow.new Batch(reserves);
        final SettleFlow.Batch settle = settles.isEmpty() ? null : new SettleFlow.Batch(settles);
        count(reserveBatches, reserveCalls, reserves.size());
        count(settleBatches, settleCalls, settles.size());
        if (finishing != null && reserve != null)
        {
            finishesWithBegins.incrementAndGet();
        }
        if (reserve != null && settle != null)
        {
            settlesWithReserves.incrementAndGet();
        }
        try
        {
            return steps(calls.size(), finishing, reserve, settle);
        }
        catch (final RuntimeException | Error unexpected)
        {
            LOG.error("a round of {} calls failed unexpectedly", calls.size(), unexpected);
            if (finishing != null)
            {
                finishing.failRemaining(unexpected);
            }
            if (reserve != null)
            {
                reserve.failRemaining(unexpected);
            }
            if (settle != null)
            {
                settle.failRemaining(unexpected);
            }
            return null;
        }
    }

    private static void count(final AtomicLong batches, final AtomicLong calls, final int size)
    {
        if (size > 0)
        {
            batches.incrementAndGet();
            calls.addAndGet(size);
        }
    }

    /** A HashMap capacity that holds {@code entries} without growing (a step has about one key per call). */
    private static int capacityFor(final int entries)
    {
        return (int)(entries / 0.75f) + 1;
    }

    private ReserveFlow.Batch steps(final int calls, final ReserveFlow.Batch finishing,
        final ReserveFlow.Batch reserve, final SettleFlow.Batch settle)
    {
        // Step R: the previous round's finishes, this round's begins and settles.
        final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> recordStep =
            new HashMap<>(capacityFor(calls + (finishing == null ? 0 : finishing.size())));
        if (finishing != null)
        {
            finishing.addFinishes(recordStep);
        }
        if (reserve != null)
        {
            reserve.addBegins(recordStep);
        }
        if (settle != null)
        {
            settle.addSettles(recordStep);
        }
        final Map<String, ArrayList<ReservationResult>> recorded;
        try
        {
            recorded = reservations.applyBatch(recordStep);
        }
        catch (final RuntimeException ex)
        {
            if (finishing != null)
            {
                finishing.failed(ex);
            }
            if (reserve != null)
            {
                reserve.beginFailed(ex);
            }
            if (settle != null)
            {
                settle.settleFailed(ex);
            }
            return null;
        }
        if (finishing != null)
        {
            afterFinish(finishing, recorded);
        }
        final boolean holding = reserve != null && reserve.afterBegin(recorded);
        if (settle != null)
        {
            settle.afterSettle(recorded);
        }

        // Step S: this round's commits and releases, then its holds.
        final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> stockStep =
            new HashMap<>(capacityFor(calls));
        if (settle != null)
        {
            settle.addLines(stockStep);
        }
        if (holding)
        {
            reserve.addHolds(stockStep);
        }
        if (stockStep.isEmpty())
        {
            return null;
        }
        final Map<StockKey, ArrayList<KeyResult>> changed;
        try
        {
            changed = stock.applyBatch(stockStep);
        }
        catch (final RuntimeException ex)
        {
            if (holding)
            {
                reserve.failed(ex);
            }
            if (settle != null)
            {
                settle.linesFailed(ex);
            }
            return null;
        }
        if (settle != null)
        {
            settle.afterLines(changed);
        }
        if (!holding)
        {
            return null;
        }
        try
        {
            reserve.afterHold(changed);
        }
        catch (final RuntimeException ex)
        {
            reserve.failed(ex);
            return null;
        }
        return reserve.hasFinishes() ? reserve : null;
    }

    /** The last round's reservations, when nothing else is queued: their finish goes alone. */
    private void finishAlone(final ReserveFlow.Batch finishing)
    {
        try
        {
            final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> recordStep =
                new HashMap<>(capacityFor(finishing.size()));
            finishing.addFinishes(recordStep);
            final Map<String, ArrayList<ReservationResult>> recorded;
            try
            {
                recorded = reservations.applyBatch(recordStep);
            }
            catch (final RuntimeException ex)
            {
                finishing.failed(ex);
                return;
            }
            afterFinish(finishing, recorded);
        }
        catch (final RuntimeException | Error unexpected)
        {
            LOG.error("finishing a batch failed unexpectedly", unexpected);
            finishing.failRemaining(unexpected);
        }
    }

    private static void afterFinish(final ReserveFlow.Batch finishing,
        final Map<String, ArrayList<ReservationResult>> recorded)
    {
        try
        {
            finishing.afterFinish(recorded);
        }
        catch (final RuntimeException ex)
        {
            finishing.failed(ex);
        }
    }
}
