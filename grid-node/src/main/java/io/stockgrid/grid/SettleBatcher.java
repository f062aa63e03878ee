package io.stockgrid.grid;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.Overloaded;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Applies commits and releases in batches, as {@link ReserveBatcher} does reservations: decide every reservation's
 * phase in one invocation ({@code Settle} per record, in arrival order), then apply every line's commit or release in
 * one more (grouped by key). Per call the outcome is that of the one-at-a-time flow: a repeat still finishes any line
 * a failed first attempt left held, and a reservation found past its expiry is expired and its lines returned.
 */
final class SettleBatcher extends BatchApplier<SettleBatcher.Pending>
{
    static final int MAX_BATCH = 256;

    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;

    record Pending(Commands.Settle command, long nowMs, CompletableFuture<ReservationOutcome> future)
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

    SettleBatcher(final GridTable<StockKey, StockRecord> stock, final GridTable<String, ReservationRecord> reservations,
        final int appliers, final int queueCapacity)
    {
        super("stockgrid-settle-applier", appliers, queueCapacity, MAX_BATCH);
        this.stock = stock;
        this.reservations = reservations;
    }

    CompletableFuture<ReservationOutcome> settle(final Commands.Settle command, final long nowMs)
    {
        final CompletableFuture<ReservationOutcome> future = new CompletableFuture<>();
        if (!offer(new Pending(command, nowMs, future)))
        {
            return CompletableFuture.failedFuture(Overloaded.INSTANCE);
        }
        return future;
    }

    @Override
    void fail(final Pending pending, final Throwable cause)
    {
        pending.future().completeExceptionally(cause);
    }

    @Override
    void apply(final List<Pending> batch)
    {
        final List<Flow> flows = new ArrayList<>(batch.size());
        final Map<String, List<JournaledProcessor<String, ReservationRecord, ReservationResult>>> settles =
            new HashMap<>(batch.size() * 2);
        for (final Pending p : batch)
        {
            final Flow flow = new Flow(p);
            final ReservationPhase target = p.command().action() == Commands.SettleAction.COMMIT ?
                ReservationPhase.COMMITTED : ReservationPhase.RELEASED;
            final List<JournaledProcessor<String, ReservationRecord, ReservationResult>> onId =
                settles.computeIfAbsent(p.command().reservationId(), k -> new ArrayList<>(1));
            flow.position = onId.size();
            onId.add(new ReservationProcessors.Settle(target, p.nowMs()));
            flows.add(flow);
        }
        final Map<String, ArrayList<ReservationResult>> decided;
        try
        {
            decided = reservations.applyBatch(settles);
        }
        catch (final RuntimeException ex)
        {
            // Nothing decided is known; a retry is safe (settling is idempotent).
            for (final Flow flow : flows)
            {
                flow.pending.future().completeExceptionally(ex);
            }
            return;
        }

        final Map<StockKey, List<JournaledProcessor<StockKey, StockRecord, KeyResult>>> lines = new HashMap<>();
        final List<Flow> applying = new ArrayList<>(flows.size());
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
                    final List<ReservationLine> reservationLines = r.state().lines();
                    flow.linePositions = new int[reservationLines.size()];
                    for (int i = 0; i < reservationLines.size(); i++)
                    {
                        final ReservationLine line = reservationLines.get(i);
                        final List<JournaledProcessor<StockKey, StockRecord, KeyResult>> onKey =
                            lines.computeIfAbsent(new StockKey(line.sku(), line.location()), k -> new ArrayList<>(2));
                        flow.linePositions[i] = onKey.size();
                        final String id = r.state().reservationId();
                        onKey.add(flow.kind == KeyEffect.Kind.COMMIT ? new StockProcessors.CommitHold(id) :
                            new StockProcessors.ReleaseHold(id, flow.kind));
                    }
                    applying.add(flow);
                }
                default -> flow.pending.future().completeExceptionally(
                    new IllegalStateException("unexpected settle result " + r));
            }
        }
        if (applying.isEmpty())
        {
            return;
        }
        final Map<StockKey, ArrayList<KeyResult>> applied;
        try
        {
            applied = stock.applyBatch(lines);
        }
        catch (final RuntimeException ex)
        {
            // The phases are decided; the lines are finished by a retry or, past expiry, by the sweep.
            for (final Flow flow : applying)
            {
                flow.pending.future().completeExceptionally(ex);
            }
            return;
        }
        for (final Flow flow : applying)
        {
            final List<ReservationLine> reservationLines = flow.decided.state().lines();
            for (int i = 0; i < reservationLines.size(); i++)
            {
                final ReservationLine line = reservationLines.get(i);
                final KeyResult r = applied.get(new StockKey(line.sku(), line.location())).get(flow.linePositions[i]);
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
}
