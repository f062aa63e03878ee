package io.stockgrid.grid;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The commit and release flow, run for a batch of calls at once as {@link ReserveFlow} runs reservations: decide
 * every reservation's phase in one step ({@code Settle} per record, in arrival order), then apply every line's commit
 * or release in one more (grouped by key). Per call the outcome is that of the one-at-a-time flow: a repeat still
 * finishes any line a failed first attempt left held, and a reservation found past its expiry is expired and its
 * lines returned. Like a reservation batch, a {@link Batch} adds its commands to steps the {@link FlowApplier} sends.
 */
final class SettleFlow
{
    record Pending(Commands.Settle command, long nowMs, CompletableFuture<ReservationOutcome> future)
        implements FlowApplier.Call
    {
    }

    /** One call of a batch as the flow goes on. */
    private static final class Flow
    {
        final Pending pending;
        int position;
        ReservationResult decided;
        KeyEffect.Kind kind;
        int[] linePositions;
        final List<KeyEffect> effects = new ArrayList<>(2);

        Flow(final Pending pending)
        {
            this.pending = pending;
        }
    }

    private SettleFlow()
    {
    }

    /** One batch of commits and releases on its way through the flow. */
    static final class Batch
    {
        private final List<Flow> flows;
        private final List<Flow> applying;

        Batch(final List<Pending> batch)
        {
            this.flows = new ArrayList<>(batch.size());
            this.applying = new ArrayList<>(batch.size());
            for (final Pending p : batch)
            {
                flows.add(new Flow(p));
            }
        }

        /** 1. Decide every reservation's phase (a step on the reservations table). */
        void addSettles(final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> step)
        {
            for (final Flow flow : flows)
            {
                final Commands.Settle c = flow.pending.command();
                final ReservationPhase target = c.action() == Commands.SettleAction.COMMIT ?
                    ReservationPhase.COMMITTED : ReservationPhase.RELEASED;
                flow.position = ReserveFlow.add(step, c.reservationId(),
                    new ReservationProcessors.Settle(target, flow.pending.nowMs()));
            }
        }

        /** The decide step failed: nothing decided is known; a retry is safe (settling is idempotent). */
        void settleFailed(final RuntimeException ex)
        {
            failRemaining(ex);
        }

        /** Reads the decide step's results; answers the calls that end there. */
        void afterSettle(final Map<String, ArrayList<ReservationResult>> decided)
        {
            for (final Flow flow : flows)
            {
                final ReservationResult r = decided.get(flow.pending.command().reservationId()).get(flow.position);
                flow.decided = r;
                final boolean commit = flow.pending.command().action() == Commands.SettleAction.COMMIT;
                switch (r.code())
                {
                    case NOT_FOUND -> flow.pending.future().complete(
                        ReservationOutcome.of(ReservationOutcome.Code.NOT_FOUND, null));
                    case NOT_ALLOWED -> flow.pending.future().complete(ReservationOutcome.of(
                        r.state().phase() == ReservationPhase.PENDING ?
                            ReservationOutcome.Code.IN_PROGRESS : ReservationOutcome.Code.NOT_HELD, r.state()));
                    case EXPIRED_NOW, TRANSITIONED, ALREADY ->
                    {
                        // A repeat also finishes any line a failed first attempt left held (idempotent per line).
                        flow.kind = r.code() == ReservationResult.Code.EXPIRED_NOW ? KeyEffect.Kind.EXPIRE :
                            commit ? KeyEffect.Kind.COMMIT : KeyEffect.Kind.RELEASE;
                        applying.add(flow);
                    }
                    default -> flow.pending.future().completeExceptionally(
                        new IllegalStateException("unexpected settle result " + r));
                }
            }
        }

        /** 2. Commit or release every line of the decided reservations (a step on the stock table). */
        void addLines(final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> step)
        {
            for (final Flow flow : applying)
            {
                final List<ReservationLine> reservationLines = flow.decided.state().lines();
                final String id = flow.decided.state().reservationId();
                flow.linePositions = new int[reservationLines.size()];
                for (int i = 0; i < reservationLines.size(); i++)
                {
                    final ReservationLine line = reservationLines.get(i);
                    flow.linePositions[i] = ReserveFlow.add(step, new StockKey(line.sku(), line.location()),
                        flow.kind == KeyEffect.Kind.COMMIT ? new StockProcessors.CommitHold(id) :
                            new StockProcessors.ReleaseHold(id, flow.kind));
                }
            }
        }

        /** The lines step failed: the phases are decided; the lines are finished by a retry or, past expiry, by the sweep. */
        void linesFailed(final RuntimeException ex)
        {
            failRemaining(ex);
        }

        /** Reads the lines step's results and answers every call still open. */
        void afterLines(final Map<StockKey, ArrayList<KeyResult>> applied)
        {
            for (final Flow flow : applying)
            {
                final List<ReservationLine> reservationLines = flow.decided.state().lines();
                for (int i = 0; i < reservationLines.size(); i++)
                {
                    final ReservationLine line = reservationLines.get(i);
                    final KeyResult r = applied.get(new StockKey(line.sku(), line.location()))
                        .get(flow.linePositions[i]);
                    if (r.changed())
                    {
                        flow.effects.add(r.effect(line.sku(), line.location(), flow.kind,
                            flow.decided.state().reservationId(), r.quantity(), 0, flow.pending.nowMs()));
                    }
                }
                flow.pending.future().complete(new ReservationOutcome(flow.kind == KeyEffect.Kind.EXPIRE ?
                    ReservationOutcome.Code.NOT_HELD : ReservationOutcome.Code.SETTLED, flow.decided.state(),
                    flow.effects));
            }
        }

        /** Fails every call of the batch not answered yet (answered ones keep their answer). */
        void failRemaining(final Throwable cause)
        {
            for (final Flow flow : flows)
            {
                flow.pending.future().completeExceptionally(cause);
            }
        }
    }
}
