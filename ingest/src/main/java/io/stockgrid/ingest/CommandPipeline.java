package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import io.stockgrid.api.SkuAvailability;
import org.agrona.concurrent.EpochClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every front door goes through here. For a mutating call: admit it against the in-flight bound, journal the
 * command, apply it to the grid, journal the outcome (with the key versions it produced), and only then complete the
 * caller's future. A duplicate reservation that arrives while its first is in flight on this node shares the first's
 * future, so it is answered exactly as the first.
 */
public final class CommandPipeline implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(CommandPipeline.class);

    private final InventoryService service;
    private final Journal journal;
    private final EpochClock clock;
    private final IngestMetrics metrics;
    private final RequestLog requestLog = new RequestLog();
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<String, InFlightReserve> reservesInFlight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;
    private volatile boolean accepting = true;

    private record InFlightReserve(String fingerprint, CompletableFuture<ReservationOutcome> future)
    {
    }

    public CommandPipeline(final InventoryService service, final Journal journal, final EpochClock clock,
        final IngestMetrics metrics, final int maxInFlight)
    {
        if (maxInFlight < 1)
        {
            throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
        }
        this.service = service;
        this.journal = journal;
        this.clock = clock;
        this.metrics = metrics;
        this.maxInFlight = maxInFlight;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "stockgrid-expiry-sweeper");
            t.setDaemon(true);
            return t;
        });
        metrics.registerJournal(journal);
        metrics.registerInFlight(inFlight::get);
    }

    /**
     * Runs the expiry sweep every {@code intervalMs}; each run expires at most {@code maxPerSweep} reservations.
     */
    public void startExpirySweeper(final long intervalMs, final int maxPerSweep)
    {
        sweeper.scheduleWithFixedDelay(() -> sweepOnce(maxPerSweep), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One expiry sweep, journaled like any other mutation. Public for tests that drive time by hand. */
    public SweepOutcome sweepOnce(final int maxPerSweep)
    {
        if (!service.isReady() || !service.hasQuorum())
        {
            return SweepOutcome.EMPTY;
        }
        try
        {
            final long nowMs = clock.time();
            final SweepOutcome outcome = service.expireDue(nowMs, maxPerSweep).join();
            if (!outcome.isEmpty())
            {
                // What the sweep changed, the grid journaled as it changed it; nobody waits for an acknowledgement.
                metrics.recordEffects(outcome.effects());
            }
            return outcome;
        }
        catch (final RuntimeException ex)
        {
            // The sweep is idempotent and runs again in a moment; a failure must not stop the schedule.
            LOG.warn("expiry sweep failed, will retry", ex);
            return SweepOutcome.EMPTY;
        }
    }

    /** The request log the doors write to: one line per mutating request. */
    public RequestLog requestLog()
    {
        return requestLog;
    }

    public boolean isReady()
    {
        return accepting && service.isReady();
    }

    /** True while mutations may be made (see {@link InventoryService#hasQuorum()}). */
    public boolean hasQuorum()
    {
        return service.hasQuorum();
    }

    /** Stop admitting new work (readiness goes false); in-flight work still completes. */
    public void stopAccepting()
    {
        accepting = false;
    }

    public int inFlight()
    {
        return inFlight.get();
    }

    public CompletableFuture<StockOutcome> setStock(final Commands.SetStock command)
    {
        return setStock(command, null);
    }

    /** @param caller the API key id journaled with the command (null: none, no authentication). */
    public CompletableFuture<StockOutcome> setStock(final Commands.SetStock command, final String caller)
    {
        return mutateStock(command, JournalCodec.CMD_SET_STOCK, caller);
    }

    public CompletableFuture<StockOutcome> adjust(final Commands.Adjust command)
    {
        return adjust(command, null);
    }

    public CompletableFuture<StockOutcome> adjust(final Commands.Adjust command, final String caller)
    {
        return mutateStock(command, JournalCodec.CMD_ADJUST, caller);
    }

    public CompletableFuture<StockOutcome> acceptReturn(final Commands.Return command)
    {
        return acceptReturn(command, null);
    }

    public CompletableFuture<StockOutcome> acceptReturn(final Commands.Return command, final String caller)
    {
        return mutateStock(command, JournalCodec.CMD_RETURN, caller);
    }

    public CompletableFuture<ReservationOutcome> reserve(final Commands.Reserve command)
    {
        final InFlightReserve existing = reservesInFlight.get(command.reservationId());
        if (existing != null)
        {
            return attach(existing, command);
        }
        final CompletableFuture<ReservationOutcome> gate = admitMutation();
        if (gate != null)
        {
            return gate;
        }
        final long startNs = System.nanoTime();
        final InFlightReserve mine = new InFlightReserve(command.fingerprint(), new CompletableFuture<>());
        final InFlightReserve raced = reservesInFlight.putIfAbsent(command.reservationId(), mine);
        if (raced != null)
        {
            inFlight.decrementAndGet();
            return attach(raced, command);
        }
        try
        {
            final long nowMs = clock.time();
            final long seq = journal.appendCommand(command, nowMs);
            service.reserve(command, nowMs).whenComplete((outcome, error) ->
            {
                try
                {
                    if (error == null)
                    {
                        journalReservation(seq, JournalCodec.CMD_RESERVE, outcome, nowMs);
                        if (outcome.code() == ReservationOutcome.Code.HELD
                            || outcome.code() == ReservationOutcome.Code.REJECTED
                            || outcome.code() == ReservationOutcome.Code.REPLAYED)
                        {
                            metrics.recordReserveAck(System.nanoTime() - startNs);
                        }
                    }
                }
                catch (final RuntimeException ex)
                {
                    error = ex;
                }
                finally
                {
                    reservesInFlight.remove(command.reservationId(), mine);
                    inFlight.decrementAndGet();
                }
                complete(mine.future(), outcome, error == null ? quorumLostMeanwhile() : error);
            });
        }
        catch (final RuntimeException ex)
        {
            reservesInFlight.remove(command.reservationId(), mine);
            inFlight.decrementAndGet();
            mine.future().completeExceptionally(ex);
        }
        return mine.future();
    }

    private static CompletableFuture<ReservationOutcome> attach(final InFlightReserve first,
        final Commands.Reserve command)
    {
        if (!first.fingerprint().equals(command.fingerprint()))
        {
            return CompletableFuture.completedFuture(
                ReservationOutcome.of(ReservationOutcome.Code.FINGERPRINT_MISMATCH, null));
        }
        return first.future();
    }

    public CompletableFuture<ReservationOutcome> settle(final Commands.Settle command)
    {
        return settle(command, null);
    }

    /** @param caller the API key id journaled with the command (null: none, no authentication). */
    public CompletableFuture<ReservationOutcome> settle(final Commands.Settle command, final String caller)
    {
        final CompletableFuture<ReservationOutcome> gate = admitMutation();
        if (gate != null)
        {
            return gate;
        }
        final byte type = JournalCodec.commandType(command);
        try
        {
            final long nowMs = clock.time();
            final long seq = journal.appendCommand(command, nowMs, caller);
            return release(service.settle(command, nowMs).thenApply(outcome ->
            {
                journalReservation(seq, type, outcome, nowMs);
                refuseIfQuorumLostMeanwhile();
                return outcome;
            }));
        }
        catch (final RuntimeException ex)
        {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(ex);
        }
    }

    public CompletableFuture<Availability> availability(final String sku, final String location)
    {
        final CompletableFuture<Availability> gate = admit();
        return gate != null ? gate : release(service.availability(sku, location));
    }

    public CompletableFuture<SkuAvailability> availability(final String sku)
    {
        final CompletableFuture<SkuAvailability> gate = admit();
        return gate != null ? gate : release(service.availability(sku));
    }

    public CompletableFuture<ReservationState> reservation(final String reservationId)
    {
        final CompletableFuture<ReservationState> gate = admit();
        return gate != null ? gate : release(service.reservation(reservationId));
    }

    private CompletableFuture<StockOutcome> mutateStock(final Object command, final byte type, final String caller)
    {
        final CompletableFuture<StockOutcome> gate = admitMutation();
        if (gate != null)
        {
            return gate;
        }
        try
        {
            final long nowMs = clock.time();
            final long seq = journal.appendCommand(command, nowMs, caller);
            final CompletableFuture<StockOutcome> applied = switch (type)
            {
                case JournalCodec.CMD_SET_STOCK -> service.setStock((Commands.SetStock)command, nowMs);
                case JournalCodec.CMD_ADJUST -> service.adjust((Commands.Adjust)command, nowMs);
                default -> service.acceptReturn((Commands.Return)command, nowMs);
            };
            return release(applied.thenApply(outcome ->
            {
                final long outcomeAtMs = clock.time();
                journal.appendOutcome(seq, type, outcomeAtMs);
                metrics.recordJournalLag(outcomeAtMs - nowMs);
                if (outcome.code() == StockOutcome.Code.APPLIED)
                {
                    metrics.recordStockUpdate(outcome.availability().location());
                }
                refuseIfQuorumLostMeanwhile();
                return outcome;
            }));
        }
        catch (final RuntimeException ex)
        {
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void journalReservation(final long seq, final byte type, final ReservationOutcome outcome,
        final long commandAtMs)
    {
        final long outcomeAtMs = clock.time();
        journal.appendOutcome(seq, type, outcomeAtMs);
        metrics.recordJournalLag(outcomeAtMs - commandAtMs);
        metrics.recordEffects(outcome.effects());
        metrics.recordReservation(outcome);
    }

    /**
     * As {@link #admit()}, and refuses a mutation, before it is journaled, while the grid lacks its quorum (this
     * member may be on the minority side of a split).
     */
    private <T> CompletableFuture<T> admitMutation()
    {
        if (!service.hasQuorum())
        {
            metrics.recordNoQuorum();
            return CompletableFuture.failedFuture(NoQuorum.INSTANCE);
        }
        return admit();
    }

    /**
     * A mutation is acknowledged only if this member still sees its quorum once the change is made. While it sees
     * the others, every change it makes is on a majority member or backed up there (synchronous backups); once it
     * has dropped them (this member is on the minority side of a split, which Hazelcast's own split-brain
     * protection notices a moment later), changes run here alone and are discarded when the split heals. An answer
     * computed in that window is replaced by NO_QUORUM: retryable, and the retry, idempotent, learns the truth from
     * the majority. (SplitBrainTest saw the minority acknowledge a reservation 24 ms into a split, in that window,
     * and lose it at the heal.)
     *
     * @return NO_QUORUM if the quorum was lost, else null.
     */
    private NoQuorum quorumLostMeanwhile()
    {
        if (service.hasQuorum())
        {
            return null;
        }
        metrics.recordNoQuorum();
        return NoQuorum.INSTANCE;
    }

    private void refuseIfQuorumLostMeanwhile()
    {
        final NoQuorum lost = quorumLostMeanwhile();
        if (lost != null)
        {
            throw lost;
        }
    }

    /** Returns null when admitted (the caller must release), else an already-failed future. */
    private <T> CompletableFuture<T> admit()
    {
        if (!isReady())
        {
            return CompletableFuture.failedFuture(NotReady.INSTANCE);
        }
        if (inFlight.incrementAndGet() > maxInFlight)
        {
            inFlight.decrementAndGet();
            metrics.recordOverload();
            return CompletableFuture.failedFuture(Overloaded.INSTANCE);
        }
        return null;
    }

    private <T> CompletableFuture<T> release(final CompletableFuture<T> future)
    {
        return future.whenComplete((v, e) -> inFlight.decrementAndGet());
    }

    private static <T> void complete(final CompletableFuture<T> future, final T value, final Throwable error)
    {
        if (error != null)
        {
            future.completeExceptionally(error);
        }
        else
        {
            future.complete(value);
        }
    }

    /** Waits up to {@code timeoutMs} for in-flight work to finish; returns true if it did. */
    public boolean drain(final long timeoutMs) throws InterruptedException
    {
        stopAccepting();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (inFlight.get() > 0)
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    @Override
    public void close()
    {
        stopAccepting();
        sweeper.shutdownNow();
        try
        {
            sweeper.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
