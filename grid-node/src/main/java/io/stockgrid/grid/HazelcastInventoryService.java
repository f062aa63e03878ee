package io.stockgrid.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.stockgrid.api.Availability;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.ShortLine;
import io.stockgrid.api.SkuAvailability;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.GridJournal;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.InventoryService;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.Overloaded;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.StockOutcome;
import io.stockgrid.ingest.SweepOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The inventory service on a Hazelcast grid: two tables, {@code stock} ((sku, location) -> {@link StockRecord}) and
 * {@code reservations} (reservationId -> {@link ReservationRecord}), changed only by entry processors, kept by the
 * Stockgrid partition service ({@link PartitionStore}). A call's
 * multi-step flow (a reservation touches one record per line plus its own) runs on a bounded pool of worker threads
 * that wait on the grid; the lines of one reservation are sent to their partitions in parallel.
 */
public final class HazelcastInventoryService implements InventoryService
{
    public static final String STOCK_MAP = "stock";
    public static final String RESERVATIONS_MAP = "reservations";
    public static final String LOCATIONS_MAP = "locations";
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
    /** Forgotten attempts whose holds are waiting to be returned again, at most (each a few hundred bytes). */
    private static final int MAX_OWED_HOLDS = 10_000;
    /** Restore calls outstanding at once. */
    private static final int RESTORE_WINDOW = 256;
    /** Records journaled by one call of a snapshot. */
    private static final int SNAPSHOT_CHUNK = 1_000;
    /**
     * Threads that apply reservation batches. One: while its batch is on the grid the next one gathers, so batches
     * grow with load and the cost of reaching the grid is shared by more calls. Measured on 2 cores (binary door,
     * closed loop, warm): one applier per batcher answered about 1.5x the calls of four plus two, on the same CPU.
     */
    private static final int RESERVE_APPLIERS = 1;
    /** Threads that apply commit/release batches (one, for the same reason). */
    private static final int SETTLE_APPLIERS = 1;
    private static final Logger LOG = LoggerFactory.getLogger(HazelcastInventoryService.class);

    private final HazelcastInstance hazelcast;
    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    private final GridTable<String, Locations.Set> locations;
    private volatile long nextLeftoverScanMs;
    private final ThreadPoolExecutor workers;
    private final long retentionMs;
    private final ReserveBatcher batcher;
    private final SettleBatcher settler;
    private volatile boolean restored;
    /** See {@link #owe}; guarded by itself. */
    private final java.util.ArrayDeque<OwedHolds> owedHolds = new java.util.ArrayDeque<>();
    private volatile int minClusterSize = 1;
    /** Until when the sweep looks for PENDING reservations whose member left (backups are promoted meanwhile). */
    private volatile long orphanScanUntilNs;
    private volatile long nextOrphanScanNs;

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
        final AtomicInteger threadId = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(workerThreads, workerThreads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(maxQueued), r ->
            {
                final Thread t = new Thread(r, "stockgrid-worker-" + threadId.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
        this.batcher = new ReserveBatcher(stock, reservations, retentionMs, RESERVE_APPLIERS, maxQueued,
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
                orphansMayExist();
            }
        });
        this.settler = new SettleBatcher(stock, reservations, SETTLE_APPLIERS, maxQueued);
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

    /** Exports the batchers' counters: batches applied and the calls in them (their ratio is the mean batch size). */
    public void registerMetrics(final IngestMetrics metrics)
    {
        metrics.registerCounter("stockgrid_reserve_batches_total",
            "Batches of reservations applied to the grid (one grid step per partition per batch)", batcher::batches);
        metrics.registerCounter("stockgrid_reserve_batched_total",
            "Reservations applied in those batches; divided by the batches, the mean batch size", batcher::calls);
        metrics.registerCounter("stockgrid_settle_batches_total",
            "Batches of commits and releases applied to the grid", settler::batches);
        metrics.registerCounter("stockgrid_settle_batched_total",
            "Commits and releases applied in those batches", settler::calls);
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

    static KeyEffect effect(final String sku, final String location, final KeyResult r,
        final KeyEffect.Kind kind, final String ref, final long quantity, final long expiresAtMs, final long atMs)
    {
        return new KeyEffect(sku, location, r.version(), r.onHand(), r.safetyStock(), r.reserved(), kind, ref,
            quantity, expiresAtMs, atMs);
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
            List.of(effect(sku, location, r, kind, ref, quantity, 0, nowMs)) : List.of();
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
        return batcher.reserve(c, nowMs);
    }

    /** Runs one hold-ending processor on every line of a reservation in parallel; records what changed. */
    static void applyToLines(final GridTable<StockKey, StockRecord> stock, final String id,
        final List<ReservationLine> lines, final Function<String, StockProcessors.Base> processor,
        final KeyEffect.Kind kind, final long nowMs, final List<KeyEffect> effects)
    {
        final List<CompletableFuture<KeyResult>> futures = new ArrayList<>(lines.size());
        for (final ReservationLine line : lines)
        {
            futures.add(stock.submitToKey(new StockKey(line.sku(), line.location()), processor.apply(id))
                .toCompletableFuture());
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final KeyResult r = futures.get(i).join();
            if (r.changed())
            {
                final ReservationLine line = lines.get(i);
                effects.add(effect(line.sku(), line.location(), r, kind, id, r.quantity(), 0, nowMs));
            }
        }
    }

    @Override
    public CompletableFuture<ReservationOutcome> settle(final Commands.Settle c, final long nowMs)
    {
        return settler.settle(c, nowMs);
    }

    @Override
    public CompletableFuture<SweepOutcome> expireDue(final long nowMs, final int maxReservations)
    {
        return run(() -> sweep(nowMs, maxReservations));
    }

    private SweepOutcome sweep(final long nowMs, final int maxReservations)
    {
        final List<ReservationState> transitions = new ArrayList<>();
        final List<KeyEffect> effects = new ArrayList<>();

        // Each member sweeps the records it owns: together they cover the grid once, and a promoted backup is
        // swept by its new owner.
        final Set<String> due = reservations.localKeysAtMost("heldUntilMs", nowMs);
        if (!due.isEmpty())
        {
            // As one batch (applyBatch, not executeOnKeys): the expiry must be on the backup before its holds are returned,
            // or a primary lost in between would leave a HELD reservation without its units.
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
                    // Only the expired attempt's holds: a reservation that expired while still PENDING may be
                    // begun afresh at once (nobody was answered), and the retry's holds must stay.
                    final long attempt = r.attempt();
                    applyToLines(stock, r.state().reservationId(), r.state().lines(),
                        id -> StockProcessors.ReleaseHold.ofAttempt(id, KeyEffect.Kind.EXPIRE, attempt),
                        KeyEffect.Kind.EXPIRE, nowMs, effects);
                }
            }
        }

        returnOwedHolds(nowMs, effects);
        abandonOrphans(nowMs, effects);

        // Holds that outlived their expiry by the grace period were left by a flow that stopped half-way (a
        // crash between deciding a reservation's phase and applying it to its lines): finish that flow.
        if (nowMs < nextLeftoverScanMs)
        {
            return transitions.isEmpty() && effects.isEmpty() ? SweepOutcome.EMPTY :
                new SweepOutcome(transitions, effects);
        }
        nextLeftoverScanMs = nowMs + LEFTOVER_SCAN_INTERVAL_MS;
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
                    effects.add(effect(key.getSku(), key.getLocation(), r, kind, id, r.quantity(), 0, nowMs));
                    LOG.info("sweep finished a half-done {} of reservation {} on {}", kind, id, key);
                }
            }
        }
        return transitions.isEmpty() && effects.isEmpty() ? SweepOutcome.EMPTY :
            new SweepOutcome(transitions, effects);
    }

    /** A member left: reservations it was making may be left PENDING here, now or once backups are promoted. */
    void orphansMayExist()
    {
        orphanScanUntilNs = System.nanoTime() + ORPHAN_SCAN_WINDOW_NS;
        nextOrphanScanNs = System.nanoTime(); // the next sweep scans at once
    }

    /** Abandons the PENDING reservations this member owns whose coordinating member is no longer in the cluster. */
    private void abandonOrphans(final long nowMs, final List<KeyEffect> effects)
    {
        final long now = System.nanoTime();
        if (now - orphanScanUntilNs > 0 || now - nextOrphanScanNs < 0)
        {
            return;
        }
        nextOrphanScanNs = now + ORPHAN_SCAN_INTERVAL_NS;
        final Set<String> members = new HashSet<>();
        for (final com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers())
        {
            members.add(GridConfig.nodeIdOf(m));
        }
        final Set<String> pending = reservations.localKeysAtMost("pendingSinceMs", nowMs);
        for (final ReservationRecord record : reservations.getAll(pending).values())
        {
            if (record.phase() == ReservationPhase.PENDING && record.coordinator() != null
                && !members.contains(record.coordinator()))
            {
                abandonStuck(record, nowMs, effects);
            }
        }
    }

    /**
     * A reservation still PENDING whose member has left the cluster will never be finished: nobody was answered, so
     * it is forgotten and its holds returned, as a restart's reconcile does; a retry with the same id then starts
     * afresh instead of hearing REQUEST_IN_PROGRESS until the TTL. Only for a member that has left: a live member's
     * call may still finish it, and releasing first would race that Finish. (A live member's call that failed
     * compensates itself; if that fails too, the reservation expires at its TTL, fenced by its record first.)
     */
    private void abandonStuck(final ReservationRecord stuck, final long nowMs, final List<KeyEffect> effects)
    {
        if (forgetThenReturnHolds(stuck, nowMs, effects))
        {
            LOG.warn("sweep: reservation {} was still being made {} ms after it began by a member that has left; it "
                + "is forgotten and its holds are returned", stuck.state().reservationId(),
                nowMs - stuck.state().createdAtMs());
        }
    }

    /**
     * Forgets a PENDING reservation, then returns its holds; true if it was forgotten here. {@code pending} was read
     * earlier and may be stale, so both steps are fenced by its attempt (see {@link #forgetAttempt}).
     */
    boolean forgetThenReturnHolds(final ReservationRecord pending, final long nowMs, final List<KeyEffect> effects)
    {
        final String id = pending.state().reservationId();
        final long attempt = pending.attempt();
        if (forgetAttempt(reservations, id, attempt) != GiveUp.FORGOTTEN)
        {
            return false;
        }
        try
        {
            returnAttemptHolds(stock, id, attempt, pending.state().lines(), nowMs, effects);
        }
        catch (final RuntimeException ex)
        {
            // The record is gone, so no later scan finds this attempt again: remember its holds and return them at
            // the next sweeps (right after a member leaves, a stock partition refuses changes until its backup is
            // re-created). Fenced by the attempt, so returning them late never takes a retry's holds.
            owe(new OwedHolds(id, attempt, pending.state().lines()));
            throw ex;
        }
        return true;
    }

    /** Holds of a forgotten attempt whose return failed; returned again at each sweep until it succeeds. */
    private record OwedHolds(String reservationId, long attempt, List<ReservationLine> lines)
    {
    }

    private void owe(final OwedHolds owed)
    {
        synchronized (owedHolds)
        {
            if (owedHolds.size() >= MAX_OWED_HOLDS)
            {
                LOG.warn("sweep: {} forgotten reservations' holds are already waiting to be returned; the holds of {} "
                    + "wait for the leftover scan at their expiry", owedHolds.size(), owed.reservationId());
                return;
            }
            owedHolds.addLast(owed);
        }
    }

    /** Returns the holds owed by earlier sweeps, oldest first; stops at the first that is refused again. */
    private void returnOwedHolds(final long nowMs, final List<KeyEffect> effects)
    {
        while (true)
        {
            final OwedHolds owed;
            synchronized (owedHolds)
            {
                owed = owedHolds.peekFirst();
            }
            if (owed == null)
            {
                return;
            }
            try
            {
                returnAttemptHolds(stock, owed.reservationId(), owed.attempt(), owed.lines(), nowMs, effects);
            }
            catch (final RuntimeException stillRefused)
            {
                return; // kept for the next sweep; the rest of this one goes on
            }
            synchronized (owedHolds)
            {
                owedHolds.pollFirst();
            }
            LOG.warn("sweep: the holds of forgotten reservation {} (attempt {}), whose return had been refused, are "
                + "returned", owed.reservationId(), owed.attempt());
        }
    }

    /** What {@link #forgetAttempt} found. */
    enum GiveUp
    {
        /** The attempt's PENDING record was forgotten here: whoever did so returns the attempt's holds. */
        FORGOTTEN,
        /** The record is the attempt's own and past PENDING: its outcome is recorded and its holds are its units. */
        DECIDED,
        /** No record, or another attempt's: someone else forgot this attempt (and a retry may have begun). */
        NOT_OURS
    }

    /**
     * The first half of giving up on one attempt of a reservation (a failed call's compensation, the sweep forgetting
     * a member's stuck call, a restart's reconcile): forget its record if it is still the attempt's PENDING one. The
     * second half, {@link #returnAttemptHolds}, must come after, never before: the attempt's call may still be
     * running (its member only cut off), and returning the holds first would let that call's Finish record HELD with
     * nothing held. Once the record is gone that Finish finds nothing, and a retry that begins at once finds this
     * attempt's holds (CONFLICT) and is told to try again until they are returned. Both halves are fenced by the
     * attempt, because whoever gives up acts on a view read earlier: the record may since have been forgotten by
     * someone else and a retry begun afresh, whose record and holds must stay. A hold the attempt places after its
     * record was forgotten is returned by the leftover scan.
     */
    static GiveUp forgetAttempt(final GridTable<String, ReservationRecord> reservations, final String id,
        final long attempt)
    {
        if (reservations.executeOnKey(id, new ReservationProcessors.Abandon(attempt)).code()
            == ReservationResult.Code.TRANSITIONED)
        {
            return GiveUp.FORGOTTEN;
        }
        final ReservationRecord current = reservations.get(id);
        return current != null && current.attempt() == attempt ? GiveUp.DECIDED : GiveUp.NOT_OURS;
    }

    /** The second half of giving up on an attempt: returns that attempt's holds on {@code lines}, and only its own. */
    static void returnAttemptHolds(final GridTable<StockKey, StockRecord> stock, final String id, final long attempt,
        final List<ReservationLine> lines, final long nowMs, final List<KeyEffect> effects)
    {
        applyToLines(stock, id, lines,
            reservationId -> StockProcessors.ReleaseHold.ofAttempt(reservationId, KeyEffect.Kind.RELEASE, attempt),
            KeyEffect.Kind.RELEASE, nowMs, effects);
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

    /**
     * Loads journal-rebuilt state into the grid, record by record, keeping whichever is newer of the journal's and
     * the grid's (by version; by creation and version for reservations). With one node the grid is empty and
     * everything is loaded; after a full-cluster restart every member loads its journal, and each record ends up at
     * the newest version any journal holds. Not journaled: the journal it came from has it, and the record's first
     * change on its owner journals it whole. At most {@link #RESTORE_WINDOW} calls are outstanding at once.
     */
    @Override
    public void restore(final RecoveredState state)
    {
        final long nowMs = System.currentTimeMillis();
        final Semaphore window = new Semaphore(RESTORE_WINDOW);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int total = state.keys().size() + state.reservations().size();
        int done = 0;
        long lastLogMs = System.currentTimeMillis();
        for (final RecoveredState.Key key : state.keys())
        {
            final StockRecord record = StockRecord.of(key);
            bounded(window, failure, () -> stock.submitToKey(new StockKey(key.sku(), key.location()),
                new RecordSnapshots.RestoreStock(record)));
            bounded(window, failure, () -> locations.submitToKey(key.sku(), new Locations.Add(key.location())));
            lastLogMs = logRestoreProgress(++done, total, lastLogMs);
        }
        for (final ReservationState r : state.reservations())
        {
            bounded(window, failure, () -> reservations.submitToKey(r.reservationId(),
                new RecordSnapshots.RestoreReservation(r, nowMs)));
            lastLogMs = logRestoreProgress(++done, total, lastLogMs);
        }
        window.acquireUninterruptibly(RESTORE_WINDOW);
        if (failure.get() != null)
        {
            throw new IllegalStateException("restore into the grid failed", failure.get());
        }
        LOG.info("restore: {} records and {} reservations offered to the grid", state.keys().size(),
            state.reservations().size());
        restored = true;
    }

    private static void bounded(final Semaphore window, final AtomicReference<Throwable> failure,
        final Supplier<CompletionStage<?>> call)
    {
        window.acquireUninterruptibly();
        final CompletionStage<?> stage;
        try
        {
            stage = call.get();
        }
        catch (final RuntimeException ex)
        {
            window.release();
            failure.compareAndSet(null, ex);
            return;
        }
        stage.whenComplete((v, e) ->
        {
            if (e != null)
            {
                failure.compareAndSet(null, e);
            }
            window.release();
        });
    }

    private static long logRestoreProgress(final int done, final int total, final long lastLogMs)
    {
        final long now = System.currentTimeMillis();
        if (now - lastLogMs < 1_000)
        {
            return lastLogMs;
        }
        LOG.info("restore: {} of {} records loaded into the grid", done, total);
        return now;
    }

    /** Marks the grid as loaded without loading anything (a member that takes a running cluster's state). */
    public void markRestored()
    {
        restored = true;
    }

    /**
     * Journals every record this member owns, whole, on each record's partition thread, between two marks: from
     * the first mark on, this journal alone rebuilds every record the member owns. Records go in chunks, so a large
     * grid is snapshotted with bounded memory.
     *
     * @return the journal index of the beginning mark (retention may delete the cycles before it), and the count.
     */
    public long[] snapshotOwned(final GridJournal journal)
    {
        final long begin = journal.appendSnapshotBegin();
        long records = 0;
        records += snapshotChunks(stock, stock.localKeySet(), new RecordSnapshots.SnapshotStock());
        records += snapshotChunks(reservations, reservations.localKeySet(), new RecordSnapshots.SnapshotReservation());
        journal.appendSnapshotEnd(records);
        return new long[] {begin, records};
    }

    private static <K, V> long snapshotChunks(final GridTable<K, V> map, final Set<K> keys,
        final EntryProcessor<K, V, Boolean> processor)
    {
        long records = 0;
        final Set<K> chunk = new HashSet<>();
        for (final K key : keys)
        {
            chunk.add(key);
            if (chunk.size() == SNAPSHOT_CHUNK)
            {
                records += countTrue(map.executeOnKeys(chunk, processor));
                chunk.clear();
            }
        }
        if (!chunk.isEmpty())
        {
            records += countTrue(map.executeOnKeys(chunk, processor));
        }
        return records;
    }

    private static long countTrue(final Map<?, Boolean> results)
    {
        long n = 0;
        for (final Boolean b : results.values())
        {
            if (Boolean.TRUE.equals(b))
            {
                n++;
            }
        }
        return n;
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

    /**
     * Finishes, through the (journaled) entry processors, what the restored state shows half-done when the node
     * stopped, judged by the grid's record of each reservation (after a full-cluster restart another member's
     * journal may hold a later state of it than this one): a PENDING reservation never answered its caller, so it
     * is forgotten and its holds returned; a hold whose reservation is COMMITTED is committed; a hold whose
     * reservation is RELEASED, EXPIRED, REJECTED or unknown is returned. HELD reservations are left as they are (the
     * sweep expires the overdue ones). Every step is idempotent, so members may reconcile the same records at once.
     *
     * @return the number of holds committed or returned.
     */
    public int reconcile(final RecoveredState state, final long nowMs)
    {
        int finished = 0;
        final List<KeyEffect> effects = new ArrayList<>();
        for (final ReservationState r : state.reservations())
        {
            final ReservationRecord current = r.phase() == ReservationPhase.PENDING ?
                reservations.get(r.reservationId()) : null;
            if (current != null && current.phase() == ReservationPhase.PENDING)
            {
                forgetThenReturnHolds(current, nowMs, effects);
                LOG.info("recovery: reservation {} was still being made; its holds are returned",
                    r.reservationId());
            }
        }
        for (final RecoveredState.Key key : state.keys())
        {
            for (final RecoveredState.Hold hold : key.holds())
            {
                final ReservationRecord current = reservations.get(hold.reservationId());
                final ReservationPhase phase = current == null ? null : current.phase();
                if (phase == ReservationPhase.HELD || phase == ReservationPhase.PENDING)
                {
                    continue;
                }
                final StockKey stockKey = new StockKey(key.sku(), key.location());
                final KeyResult result = stock.executeOnKey(stockKey, phase == ReservationPhase.COMMITTED ?
                    new StockProcessors.CommitHold(hold.reservationId()) :
                    new StockProcessors.ReleaseHold(hold.reservationId(), phase == ReservationPhase.RELEASED ?
                        KeyEffect.Kind.RELEASE : KeyEffect.Kind.EXPIRE));
                if (result.changed())
                {
                    finished++;
                    LOG.info("recovery: finished the half-done {} of reservation {} on {}",
                        phase == null ? "compensation" : phase, hold.reservationId(), stockKey);
                }
            }
        }
        return finished + effects.size();
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
        batcher.close();
        settler.close();
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
