package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.Availability;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.SkuAvailability;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.InventoryService;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.Overloaded;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.StockOutcome;
import io.stockgrid.ingest.SweepOutcome;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The inventory service on a Hazelcast grid: two tables, {@code stock} ((sku, location) -> {@link StockRecord}) and
 * {@code reservations} (reservationId -> {@link ReservationRecord}), changed only by entry processors, kept by the
 * Stockgrid partition service ({@link PartitionStore}). This class is the front: reservations and settlements go
 * to one applier that runs both flows in shared grid steps ({@link FlowApplier}); stock mutations and reads run on a bounded
 * pool of worker threads that wait on the grid. What is not on the request path lives beside it, one role each:
 * giving up on an attempt ({@link AttemptFencing}), the expiry sweep ({@link ExpirySweep}), and restore, reconcile
 * and snapshots ({@link GridRecovery}).
 */
public final class HazelcastInventoryService implements InventoryService
{
    public static final String STOCK_MAP = "stock";
    public static final String RESERVATIONS_MAP = "reservations";
    public static final String LOCATIONS_MAP = "locations";
    private final HazelcastInstance hazelcast;
    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final GridTable<String, Locations.Set> locations;
    private final ThreadPoolExecutor workers;
    private final long retentionMs;
    /**
     * One thread applies reservations and settlements: while its round is on the grid the next calls gather, so
     * batches grow with load and the cost of reaching the grid is shared by more calls. Measured on 2 cores
     * (binary door, closed loop, warm): one applier per flow answered about 1.5x the calls of four plus two, on the
     * same CPU (session 3); one for both flows, sharing their steps, is session 11's (docs/benchmarks.md).
     */
    private final FlowApplier flows;
    private volatile boolean restored;
    private final AttemptFencing fencing;
    private final ExpirySweep sweep;
    private final GridRecovery recovery;
    private volatile int minClusterSize = 1;

    /**
     * @param hazelcast     a member configured by {@link GridConfig}, which registers the partition service.
     * @param workerThreads threads that run call flows and wait on the grid.
     * @param maxQueued     calls that may wait for a worker; beyond it calls fail with {@link Overloaded}.
     * @param retentionMs   how long reservation outcomes, eventIds and returnIds are remembered.
     */
    public HazelcastInventoryService(final HazelcastInstance hazelcast, final int workerThreads, final int maxQueued,
        final long retentionMs)
    {
        this.hazelcast = hazelcast;
        this.stock = table(hazelcast, STOCK_MAP);
        this.reservations = table(hazelcast, RESERVATIONS_MAP);
        this.locations = table(hazelcast, LOCATIONS_MAP);
        this.retentionMs = retentionMs;
        this.fencing = new AttemptFencing(stock, reservations);
        this.sweep = new ExpirySweep(hazelcast, stock, reservations, fencing);
        this.recovery = new GridRecovery(stock, reservations, locations, fencing);
        final AtomicInteger threadId = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(maxQueued), r ->
            {
                final Thread t = new Thread(r, "stockgrid-worker-" + threadId.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
        this.flows = new FlowApplier(stock, reservations, retentionMs, 2 * maxQueued,
            GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember()));
        hazelcast.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener()
        {
            @Override
            public void memberAdded(final com.hazelcast.cluster.MembershipEvent event)
            {
            }

            @Override
            public void memberRemoved(final com.hazelcast.cluster.MembershipEvent event)
            {
                sweep.orphansMayExist();
            }
        });
    }

    static <K, V> GridTable<K, V> table(final HazelcastInstance hazelcast, final String name)
    {
        return new PartitionTable<>(PartitionStore.of(hazelcast), name);
    }

    /** A copy of the stock record of (sku, location), or null: for diagnostics and tests, not the hot path. */
    public StockRecord stockRecord(final String sku, final String location)
    {
        return stock.get(new StockKey(sku, location));
    }

    /** The stock table (tests read the grid's state through it). */
    GridTable<StockKey, StockRecord> stockTable()
    {
        return stock;
    }

    GridTable<String, ReservationRecord> reservationTable()
    {
        return reservations;
    }

    GridTable<String, Locations.Set> locationTable()
    {
        return locations;
    }

    /** Exports the applier's counters: rounds, batches applied and the calls in them (calls / batches = mean size). */
    public void registerMetrics(final IngestMetrics metrics)
    {
        metrics.registerCounter("stockgrid_reserve_batches_total",
            "Batches of reservations applied to the grid (at most one per round of grid steps)", flows::reserveBatches);
        metrics.registerCounter("stockgrid_reserve_batched_total",
            "Reservations applied in those batches; divided by the batches, the mean batch size", flows::reserveCalls);
        metrics.registerCounter("stockgrid_settle_batches_total",
            "Batches of commits and releases applied to the grid", flows::settleBatches);
        metrics.registerCounter("stockgrid_settle_batched_total",
            "Commits and releases applied in those batches", flows::settleCalls);
        metrics.registerCounter("stockgrid_flow_rounds_total",
            "Rounds of grid steps run for reservations and settlements together (each one reservations-table step "
                + "and at most one stock-table step)", flows::rounds);
    }

    private <T> CompletableFuture<T> run(final Supplier<T> flow)
    {
        try
        {
            return CompletableFuture.supplyAsync(flow, workers);
        }
        catch (final RejectedExecutionException ex)
        {
            return CompletableFuture.failedFuture(Overloaded.INSTANCE);
        }
    }

    private static StockOutcome.Code stockCode(final KeyResult.Code code)
    {
        return switch (code)
        {
            case APPLIED -> StockOutcome.Code.APPLIED;
            case DUPLICATE -> StockOutcome.Code.DUPLICATE;
            case NEGATIVE_STOCK -> StockOutcome.Code.NEGATIVE_STOCK;
            case STOCK_LIMIT -> StockOutcome.Code.STOCK_LIMIT;
            case FINGERPRINT_MISMATCH -> StockOutcome.Code.FINGERPRINT_MISMATCH;
            default -> throw new IllegalStateException("unexpected stock result " + code);
        };
    }

    private StockOutcome stockMutation(final String sku, final String location, final StockProcessors.Base processor,
        final KeyEffect.Kind kind, final String ref, final long quantity, final long nowMs)
    {
        final KeyResult r = stock.executeOnKey(new StockKey(sku, location), processor);
        if (r.changed() && r.version() == 1)
        {
            // The record was just created: register its location, before the caller hears of it.
            locations.executeOnKey(sku, new Locations.Add(location));
        }
        final List<KeyEffect> effects = r.changed() ?
            List.of(r.effect(sku, location, kind, ref, quantity, 0, nowMs)) : List.of();
        return new StockOutcome(stockCode(r.code()), r.availability(sku, location), effects);
    }

    @Override
    public CompletableFuture<StockOutcome> setStock(final Commands.SetStock c, final long nowMs)
    {
        return run(() -> stockMutation(c.sku(), c.location(),
            new StockProcessors.SetStock(c.onHand(), c.safetyStock()), KeyEffect.Kind.SET, "", 0, nowMs));
    }

    @Override
    public CompletableFuture<StockOutcome> adjust(final Commands.Adjust c, final long nowMs)
    {
        return run(() -> stockMutation(c.sku(), c.location(),
            new StockProcessors.Adjust(c.eventId(), c.delta(), nowMs, retentionMs), KeyEffect.Kind.ADJUST,
            c.eventId(), c.delta(), nowMs));
    }

    @Override
    public CompletableFuture<StockOutcome> acceptReturn(final Commands.Return c, final long nowMs)
    {
        final boolean restock = c.disposition() == ReturnDisposition.RESTOCK;
        return run(() -> stockMutation(c.sku(), c.location(),
            new StockProcessors.Return(c.returnId(), c.quantity(), restock, nowMs, retentionMs),
            restock ? KeyEffect.Kind.RETURN_RESTOCK : KeyEffect.Kind.RETURN_DAMAGED, c.returnId(), c.quantity(),
            nowMs));
    }

    @Override
    public CompletableFuture<ReservationOutcome> reserve(final Commands.Reserve c, final long nowMs)
    {
        return flows.reserve(c, nowMs);
    }

    @Override
    public CompletableFuture<ReservationOutcome> settle(final Commands.Settle c, final long nowMs)
    {
        return flows.settle(c, nowMs);
    }

    @Override
    public CompletableFuture<SweepOutcome> expireDue(final long nowMs, final int maxReservations)
    {
        return run(() -> sweep.sweep(nowMs, maxReservations));
    }

    /** A member left (tests call this to start the orphan scan without one leaving); see {@link ExpirySweep}. */
    void orphansMayExist()
    {
        sweep.orphansMayExist();
    }

    AttemptFencing fencing()
    {
        return fencing;
    }

    FlowApplier flows()
    {
        return flows;
    }

    GridRecovery recovery()
    {
        return recovery;
    }

    @Override
    public CompletableFuture<Availability> availability(final String sku, final String location)
    {
        if (!hasQuorum())
        {
            // Hazelcast's split-brain protection counts every entry processor, even a read-only one, as a write:
            // without a quorum, read the record itself (a copy, holds included, so only in this case).
            return run(() ->
            {
                final StockRecord record = stock.get(new StockKey(sku, location));
                return record == null ? Availability.of(sku, location, 0, 0, 0) : record.toAvailability();
            });
        }
        return run(() -> stock.executeOnKey(new StockKey(sku, location), new StockProcessors.View())
            .availability(sku, location));
    }

    @Override
    public CompletableFuture<SkuAvailability> availability(final String sku)
    {
        return run(() ->
        {
            final Locations.Set registered = locations.get(sku);
            if (registered == null)
            {
                return new SkuAvailability(sku, 0, List.of());
            }
            final Set<StockKey> keys = new HashSet<>();
            for (final String location : registered.names())
            {
                keys.add(new StockKey(sku, location));
            }
            final Map<StockKey, KeyResult> views = hasQuorum() ? stock.executeOnKeys(keys, new StockProcessors.View())
                : viewsWithoutQuorum(keys);
            final List<Availability> found = new ArrayList<>(views.size());
            long available = 0;
            for (final Map.Entry<StockKey, KeyResult> e : views.entrySet())
            {
                if (e.getValue().version() == 0)
                {
                    continue; // registered, but no record (any more): nothing to show
                }
                final Availability a = e.getValue().availability(sku, e.getKey().getLocation());
                found.add(a);
                available += a.available();
            }
            found.sort(Comparator.comparing(Availability::location));
            return new SkuAvailability(sku, available, List.copyOf(found));
        });
    }

    private Map<StockKey, KeyResult> viewsWithoutQuorum(final Set<StockKey> keys)
    {
        final Map<StockKey, KeyResult> views = new HashMap<>();
        for (final Map.Entry<StockKey, StockRecord> e : stock.getAll(keys).entrySet())
        {
            views.put(e.getKey(), new KeyResult(KeyResult.Code.APPLIED, false, e.getValue(), 0));
        }
        return views;
    }

    @Override
    public CompletableFuture<ReservationState> reservation(final String reservationId)
    {
        return run(() ->
        {
            final ReservationRecord record = reservations.get(reservationId);
            return record == null ? null : record.state();
        });
    }

    /** Loads journal-rebuilt state into the grid (see {@link GridRecovery#restore}); the member is then ready. */
    @Override
    public void restore(final RecoveredState state)
    {
        recovery.restore(state);
        restored = true;
    }

    /** Marks the grid as loaded without loading anything (a member that takes a running cluster's state). */
    public void markRestored()
    {
        restored = true;
    }

    /** Journals every record this member owns, whole, between two marks; see {@link GridRecovery#snapshotOwned}. */
    public long[] snapshotOwned(final GridJournal journal)
    {
        return recovery.snapshotOwned(journal);
    }

    /** Finishes what restored state shows half-done; see {@link GridRecovery#reconcile}. */
    public int reconcile(final RecoveredState state, final long nowMs)
    {
        return recovery.reconcile(state, nowMs);
    }

    /**
     * Makes the grid's entry processors journal every change they make to {@code journal} (null: stop). Attach it
     * after {@link #restore} (a restore is not a change) and before any traffic or {@link #reconcile}.
     */
    public static void attachJournal(final com.hazelcast.config.Config config, final GridJournal journal)
    {
        config.getUserContext().put(JournaledProcessor.JOURNAL_CONTEXT_KEY, journal);
    }

    public void attachJournal(final GridJournal journal)
    {
        JournaledProcessor.attach(hazelcast, journal);
    }

    /** Mutations are refused (503 NO_QUORUM) while this member sees fewer than {@code size} members. */
    public void requireMembers(final int size)
    {
        this.minClusterSize = size;
    }

    @Override
    public boolean hasQuorum()
    {
        return minClusterSize <= 1 || hazelcast.getCluster().getMembers().size() >= minClusterSize;
    }

    @Override
    public boolean isReady()
    {
        return restored && hazelcast.getLifecycleService().isRunning();
    }

    @Override
    public void close()
    {
        restored = false;
        flows.close();
        workers.shutdown();
        try
        {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS))
            {
                workers.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
