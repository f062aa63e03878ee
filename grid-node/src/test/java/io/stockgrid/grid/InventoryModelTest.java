package io.stockgrid.grid;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.Availability;
import io.stockgrid.api.Limits;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.ShortLine;
import io.stockgrid.api.SkuAvailability;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.JournalReplayer;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationLifecycle;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.StockKeyRef;
import io.stockgrid.ingest.StockOutcome;
import io.stockgrid.ingest.SweepOutcome;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based randomized test of the whole service. A plain sequential model (onHand, safetyStock and holds per key;
 * reservations with their phase, first outcome, lines and expiry; remembered eventIds and returnIds) and the real
 * stack (an embedded Hazelcast member, {@link HazelcastInventoryService}, a Chronicle Queue {@link Journal} and the
 * {@link CommandPipeline}, on a clock the test drives) get the same random commands one at a time; every answer, and
 * every key effect that goes into the journal, must be what the model says. At the end of each run the whole grid
 * state, the grid's two indexes, and the state {@link JournalReplayer} rebuilds from the journal must equal the model.
 * <p>
 * Runs a fixed list of seeds; {@code -Dstockgrid.model.seed=N} reruns one ({@code -Dstockgrid.model.steps=M} changes
 * the run length). A mismatch names the seed, the step and the operation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InventoryModelTest
{
    private static final long[] CI_SEEDS =
        {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946};
    private static final int STEPS = Integer.getInteger("stockgrid.model.steps", 300);
    /**
     * Idempotency retention in test-clock time; the IDLE operation jumps past it. Hazelcast counts a reservation
     * record's time-to-live (computed from the test clock) on the wall clock, so with an hour of it no record leaves
     * the grid while a run lasts: the grid keeps a record past its retention, as it may until its TTL in production.
     */
    private static final long RETENTION_MS = 3_600_000;
    private static final long START_MS = 1_800_000_000_000L;
    private static final int SWEEP_BATCH = 100_000;
    private static final int MAX_IN_FLIGHT = 64;
    private static final long ANSWER_TIMEOUT_SECONDS = 30;
    private static final int TRACE_LENGTH = 20;
    /** A small key space, so lines short each other and reservations share keys. */
    private static final List<StockKeyRef> KEYS = List.of(new StockKeyRef("SKU-A", "L1"),
        new StockKeyRef("SKU-A", "L2"), new StockKeyRef("SKU-B", "L1"), new StockKeyRef("SKU-B", "L2"),
        new StockKeyRef("SKU-C", "L1"), new StockKeyRef("SKU-C", "L2"));
    private static final List<String> SKUS = List.of("SKU-A", "SKU-B", "SKU-C");

    /**
     * Paths the CI seeds must reach between them, so a change to the generator cannot quietly stop testing them.
     */
    private static final List<String> MUST_REACH = List.of("stock APPLIED", "stock DUPLICATE", "stock NEGATIVE_STOCK",
        "stock STOCK_LIMIT", "stock FINGERPRINT_MISMATCH", "reserve HELD", "reserve REJECTED", "reserve REPLAYED",
        "reserve FINGERPRINT_MISMATCH", "reserve afresh after retention", "settle SETTLED", "settle repeated",
        "settle NOT_HELD", "settle expired now", "settle NOT_FOUND", "sweep expired", "id applied after retention");
    private static final Map<String, Integer> REACHED = new TreeMap<>();
    private static int runsPassed;

    private static HazelcastInstance hazelcast;
    private static HazelcastInventoryService service;
    private static GridTable<StockKey, StockRecord> stockMap;
    private static GridTable<String, ReservationRecord> reservationMap;

    @BeforeAll
    static void startMember()
    {
        hazelcast = Hazelcast.newHazelcastInstance(GridConfig.memberConfig(
            "model-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), "127.0.0.1", 16701));
        service = new HazelcastInventoryService(hazelcast, 4, 1_000, RETENTION_MS);
        service.restore(new RecoveredState(List.of(), List.of()));
    }

    @AfterAll
    static void stopMember()
    {
        if (service != null)
        {
            service.close();
        }
        if (hazelcast != null)
        {
            hazelcast.shutdown();
        }
        System.out.println("model test reached: " + REACHED);
        if (runsPassed == CI_SEEDS.length && STEPS >= 300)
        {
            assertThat(REACHED).as("paths reached by the CI seeds").containsKeys(MUST_REACH.toArray(String[]::new));
        }
    }

    /** Every CI seed ({@code -Dstockgrid.model.seed=N} runs one). */
    static Stream<Arguments> runs()
    {
        final String one = System.getProperty("stockgrid.model.seed");
        final long[] seeds = one == null || one.isBlank() ? CI_SEEDS : new long[] {Long.parseLong(one.trim())};
        return LongStream.of(seeds).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("runs")
    void shouldAnswerAndRecoverExactlyAsTheSequentialModel(final long seed, @TempDir final Path dataDir)
    {
        stockMap = service.stockTable();
        reservationMap = service.reservationTable();
        stockMap.clear();
        reservationMap.clear();
        service.locationTable().clear();
        assertThat(stockMap).isInstanceOf(PartitionTable.class);
        new Run(seed, STEPS, dataDir).execute();
        assertThat(hazelcast.getMap(HazelcastInventoryService.STOCK_MAP).size()).as("no IMap use").isZero();
        assertThat(PartitionStore.of(hazelcast).recordsHeld()).as("records in the partition store").isPositive();
    }

    // =========================================================================================================
    // The model
    // =========================================================================================================

    /** One (sku, location) as the model sees it. */
    private static final class ModelKey
    {
        private final StockKeyRef ref;
        private boolean exists;
        private long onHand;
        private long safetyStock;
        private long version;
        private final LinkedHashMap<String, RecoveredState.Hold> holds = new LinkedHashMap<>();
        private final LinkedHashMap<String, RecoveredState.SeenRequest> seen = new LinkedHashMap<>();

        ModelKey(final StockKeyRef ref)
        {
            this.ref = ref;
        }

        long reserved()
        {
            long sum = 0;
            for (final RecoveredState.Hold hold : holds.values())
            {
                sum += hold.quantity();
            }
            return sum;
        }

        long earliestExpiryMs()
        {
            long min = Long.MAX_VALUE;
            for (final RecoveredState.Hold hold : holds.values())
            {
                min = Math.min(min, hold.expiresAtMs());
            }
            return min;
        }

        Availability availability()
        {
            return Availability.of(ref.sku(), ref.location(), onHand, safetyStock, reserved());
        }

        /** An effect as the real service journals it, with this key's after-image. */
        KeyEffect effect(final KeyEffect.Kind kind, final String id, final long quantity, final long expiresAtMs,
            final long atMs)
        {
            return new KeyEffect(ref.sku(), ref.location(), version, onHand, safetyStock, reserved(), kind, id,
                quantity, expiresAtMs, atMs);
        }

        /**
         * Remembers an applied eventId/returnId. Ids past retention are forgotten when a new one is remembered on the
         * same key (and, on restart, by replay): until then a late repeat is still a duplicate.
         */
        void remember(final String id, final long atMs, final long fingerprint)
        {
            seen.put(id, new RecoveredState.SeenRequest(id, atMs, fingerprint));
            seen.values().removeIf(s -> s.atMs() + RETENTION_MS < atMs);
        }
    }

    /** The whole service as a plain sequential program: the specification the real stack is checked against. */
    private static final class Model
    {
        private final Map<StockKeyRef, ModelKey> keys = new LinkedHashMap<>();
        private final Map<String, ReservationState> reservations = new LinkedHashMap<>();
        private final Run run;

        Model(final Run run)
        {
            this.run = run;
            for (final StockKeyRef ref : KEYS)
            {
                keys.put(ref, new ModelKey(ref));
            }
        }

        ModelKey key(final StockKeyRef ref)
        {
            return keys.get(ref);
        }

        ModelKey key(final String sku, final String location)
        {
            return keys.get(new StockKeyRef(sku, location));
        }

        StockOutcome setStock(final Commands.SetStock c, final long nowMs)
        {
            final ModelKey k = key(c.sku(), c.location());
            k.exists = true;
            k.onHand = c.onHand();
            if (c.safetyStock() >= 0)
            {
                k.safetyStock = c.safetyStock();
            }
            k.version++;
            return new StockOutcome(StockOutcome.Code.APPLIED, k.availability(),
                List.of(k.effect(KeyEffect.Kind.SET, "", 0, 0, nowMs)));
        }

        StockOutcome adjust(final Commands.Adjust c, final long nowMs)
        {
            final ModelKey k = key(c.sku(), c.location());
            final long fingerprint = RecoveredState.adjustFingerprint(c.delta());
            final RecoveredState.SeenRequest seen = k.seen.get(RecoveredState.adjustKey(c.eventId()));
            if (seen != null)
            {
                return refused(seen.fingerprint() == fingerprint ?
                    StockOutcome.Code.DUPLICATE : StockOutcome.Code.FINGERPRINT_MISMATCH, k);
            }
            final long next = k.onHand + c.delta();
            if (next < 0)
            {
                return refused(StockOutcome.Code.NEGATIVE_STOCK, k);
            }
            if (next > Limits.STOCK_MAX)
            {
                return refused(StockOutcome.Code.STOCK_LIMIT, k);
            }
            k.exists = true;
            k.onHand = next;
            k.remember(RecoveredState.adjustKey(c.eventId()), nowMs, fingerprint);
            k.version++;
            return new StockOutcome(StockOutcome.Code.APPLIED, k.availability(),
                List.of(k.effect(KeyEffect.Kind.ADJUST, c.eventId(), c.delta(), 0, nowMs)));
        }

        StockOutcome acceptReturn(final Commands.Return c, final long nowMs)
        {
            final ModelKey k = key(c.sku(), c.location());
            final boolean restock = c.disposition() == ReturnDisposition.RESTOCK;
            final long fingerprint = RecoveredState.returnFingerprint(c.quantity(), restock);
            final RecoveredState.SeenRequest seen = k.seen.get(RecoveredState.returnKey(c.returnId()));
            if (seen != null)
            {
                return refused(seen.fingerprint() == fingerprint ?
                    StockOutcome.Code.DUPLICATE : StockOutcome.Code.FINGERPRINT_MISMATCH, k);
            }
            if (restock && k.onHand + c.quantity() > Limits.STOCK_MAX)
            {
                return refused(StockOutcome.Code.STOCK_LIMIT, k);
            }
            k.exists = true;
            if (restock)
            {
                k.onHand += c.quantity();
            }
            k.remember(RecoveredState.returnKey(c.returnId()), nowMs, fingerprint);
            k.version++;
            return new StockOutcome(StockOutcome.Code.APPLIED, k.availability(), List.of(k.effect(
                restock ? KeyEffect.Kind.RETURN_RESTOCK : KeyEffect.Kind.RETURN_DAMAGED, c.returnId(), c.quantity(),
                0, nowMs)));
        }

        private static StockOutcome refused(final StockOutcome.Code code, final ModelKey k)
        {
            return new StockOutcome(code, k.availability(), List.of());
        }

        ReservationOutcome reserve(final Commands.Reserve c, final long nowMs)
        {
            final ReservationState existing = reservations.get(c.reservationId());
            final boolean forgotten = existing != null && existing.retainUntilMs() < nowMs &&
                !existing.phase().holdsStock();
            if (existing != null && !forgotten)
            {
                return existing.fingerprint().equals(c.fingerprint()) ?
                    ReservationOutcome.of(ReservationOutcome.Code.REPLAYED, existing) :
                    ReservationOutcome.of(ReservationOutcome.Code.FINGERPRINT_MISMATCH, null);
            }
            final long expiresAtMs = nowMs + c.ttlSeconds() * 1000L;
            final List<ShortLine> shortLines = new ArrayList<>();
            final List<ReservationLine> fits = new ArrayList<>();
            for (final ReservationLine line : c.lines())
            {
                final ModelKey k = key(line.sku(), line.location());
                final long headroom = k.exists ? k.onHand - k.reserved() - k.safetyStock : 0;
                if (headroom < line.quantity())
                {
                    shortLines.add(new ShortLine(line.sku(), line.location(), line.quantity(), Math.max(0, headroom)));
                }
                else
                {
                    fits.add(line);
                }
            }
            // The real flow tries every line; the ones that fit are held, then handed back if another was short.
            final List<KeyEffect> effects = new ArrayList<>();
            for (final ReservationLine line : fits)
            {
                final ModelKey k = key(line.sku(), line.location());
                addHold(k, c.reservationId(), line.quantity(), expiresAtMs);
                effects.add(k.effect(KeyEffect.Kind.HOLD, c.reservationId(), line.quantity(), expiresAtMs, nowMs));
            }
            final ReservationPhase phase;
            if (shortLines.isEmpty())
            {
                phase = ReservationPhase.HELD;
            }
            else
            {
                phase = ReservationPhase.REJECTED;
                for (final ReservationLine line : fits)
                {
                    effects.add(endHold(key(line.sku(), line.location()), c.reservationId(), KeyEffect.Kind.RELEASE,
                        nowMs));
                }
            }
            // The model walks the same life cycle the grid checks: BEGIN, then FINISH as HELD or REJECTED.
            final ReservationPhase begun = ReservationLifecycle.next(existing == null ? null : existing.phase(),
                ReservationLifecycle.Step.BEGIN);
            assertThat(ReservationLifecycle.next(begun, phase == ReservationPhase.HELD ?
                ReservationLifecycle.Step.FINISH_HELD : ReservationLifecycle.Step.FINISH_REJECTED))
                .as("model: %s begun and finished", c.reservationId()).isEqualTo(phase);
            final ReservationState state = new ReservationState(c.reservationId(), phase, phase, 2, nowMs,
                expiresAtMs, expiresAtMs + RETENTION_MS, c.fingerprint(), c.correlationId(), c.lines(),
                List.copyOf(shortLines));
            reservations.put(c.reservationId(), state);
            return new ReservationOutcome(phase == ReservationPhase.HELD ?
                ReservationOutcome.Code.HELD : ReservationOutcome.Code.REJECTED, state, effects);
        }

        ReservationOutcome settle(final Commands.Settle c, final long nowMs)
        {
            final ReservationState s = reservations.get(c.reservationId());
            if (s == null)
            {
                return ReservationOutcome.of(ReservationOutcome.Code.NOT_FOUND, null);
            }
            final boolean commit = c.action() == Commands.SettleAction.COMMIT;
            final ReservationPhase target = commit ? ReservationPhase.COMMITTED : ReservationPhase.RELEASED;
            final KeyEffect.Kind kind = commit ? KeyEffect.Kind.COMMIT : KeyEffect.Kind.RELEASE;
            if (s.phase() == target)
            {
                return new ReservationOutcome(ReservationOutcome.Code.SETTLED, s, endHolds(s, kind, nowMs));
            }
            if (s.phase() != ReservationPhase.HELD)
            {
                return ReservationOutcome.of(s.phase() == ReservationPhase.PENDING ?
                    ReservationOutcome.Code.IN_PROGRESS : ReservationOutcome.Code.NOT_HELD, s);
            }
            if (nowMs >= s.expiresAtMs())
            {
                final ReservationState expired = transition(s, ReservationPhase.EXPIRED);
                return new ReservationOutcome(ReservationOutcome.Code.NOT_HELD, expired,
                    endHolds(expired, KeyEffect.Kind.EXPIRE, nowMs));
            }
            final ReservationState settled = transition(s, target);
            return new ReservationOutcome(ReservationOutcome.Code.SETTLED, settled, endHolds(settled, kind, nowMs));
        }

        /** The ids the sweep must expire at {@code nowMs}. */
        Set<String> due(final long nowMs)
        {
            final Set<String> due = new TreeSet<>();
            for (final ReservationState s : reservations.values())
            {
                if (s.phase().holdsStock() && s.expiresAtMs() <= nowMs)
                {
                    due.add(s.reservationId());
                }
            }
            return due;
        }

        /** Expires the due reservations in the order the real sweep happened to take them. */
        SweepOutcome sweep(final List<String> order, final long nowMs)
        {
            final List<ReservationState> transitions = new ArrayList<>();
            final List<KeyEffect> effects = new ArrayList<>();
            for (final String id : order)
            {
                final ReservationState expired = transition(reservations.get(id), ReservationPhase.EXPIRED);
                transitions.add(expired);
                effects.addAll(endHolds(expired, KeyEffect.Kind.EXPIRE, nowMs));
            }
            return transitions.isEmpty() ? SweepOutcome.EMPTY : new SweepOutcome(transitions, effects);
        }

        private ReservationState transition(final ReservationState s, final ReservationPhase phase)
        {
            ReservationLifecycle.check(s.reservationId(), s.phase(), phase);
            final ReservationState next = new ReservationState(s.reservationId(), phase, s.firstOutcome(),
                s.version() + 1, s.createdAtMs(), s.expiresAtMs(), s.retainUntilMs(), s.fingerprint(),
                s.correlationId(), s.lines(), s.shortLines());
            reservations.put(s.reservationId(), next);
            return next;
        }

        private List<KeyEffect> endHolds(final ReservationState s, final KeyEffect.Kind kind, final long nowMs)
        {
            final List<KeyEffect> effects = new ArrayList<>();
            for (final ReservationLine line : s.lines())
            {
                final ModelKey k = key(line.sku(), line.location());
                if (k.holds.containsKey(s.reservationId()))
                {
                    effects.add(endHold(k, s.reservationId(), kind, nowMs));
                }
            }
            return effects;
        }

        /** The decision that matters most: a hold is added only if it leaves reserved + safetyStock <= onHand. */
        private void addHold(final ModelKey k, final String id, final long quantity, final long expiresAtMs)
        {
            if (k.reserved() + quantity + k.safetyStock > k.onHand)
            {
                run.fail("model oversell: hold of " + quantity + " for " + id + " on " + k.ref + " with onHand "
                    + k.onHand + ", reserved " + k.reserved() + ", safetyStock " + k.safetyStock);
            }
            k.holds.put(id, new RecoveredState.Hold(id, quantity, expiresAtMs));
            k.version++;
        }

        private static KeyEffect endHold(final ModelKey k, final String id, final KeyEffect.Kind kind,
            final long nowMs)
        {
            final RecoveredState.Hold hold = k.holds.remove(id);
            if (kind == KeyEffect.Kind.COMMIT)
            {
                k.onHand = Math.max(0, k.onHand - hold.quantity());
            }
            k.version++;
            return k.effect(kind, id, hold.quantity(), 0, nowMs);
        }
    }

    // =========================================================================================================
    // One seeded run against the real stack
    // =========================================================================================================

    private enum Op
    {
        SET(12),
        ADJUST(14),
        RETURN(8),
        RESERVE(28),
        COMMIT(10),
        RELEASE(8),
        SWEEP(8),
        SETTLE_AT_EXPIRY(3),
        SWEEP_AT_EXPIRY(2),
        QUERY(5),
        IDLE(2);

        private final int weight;

        Op(final int weight)
        {
            this.weight = weight;
        }
    }

    private static final class Run
    {
        private static final int TOTAL_WEIGHT = totalWeight();

        private final long seed;
        private final int steps;
        private final Path dataDir;
        private final Random random;
        private final Model model = new Model(this);
        private final CachedEpochClock clock = new CachedEpochClock();
        private final ArrayDeque<String> trace = new ArrayDeque<>();
        private final List<String> reservationIds = new ArrayList<>();
        private final Map<String, Commands.Reserve> reserveBodies = new HashMap<>();
        private final Map<String, Long> adjustDeltas = new LinkedHashMap<>();
        private final Map<String, Commands.Return> returnBodies = new LinkedHashMap<>();
        private final Set<String> appliedIds = new HashSet<>();
        private Journal journal;
        private CommandPipeline pipeline;
        private int step;
        private String op = "setup";
        private long commands;
        private int nextId;

        Run(final long seed, final int steps, final Path dataDir)
        {
            this.seed = seed;
            this.steps = steps;
            this.dataDir = dataDir;
            this.random = new Random(seed);
        }

        private static int totalWeight()
        {
            int sum = 0;
            for (final Op o : Op.values())
            {
                sum += o.weight;
            }
            return sum;
        }

        void execute()
        {
            clock.update(START_MS);
            final Path journalDir = Journal.directory(dataDir);
            journal = new Journal(journalDir, Journal.Durability.MAPPED, 0);
            service.attachJournal(journal);
            pipeline = new CommandPipeline(service, journal, clock, new IngestMetrics(), MAX_IN_FLIGHT);
            try
            {
                for (step = 1; step <= steps; step++)
                {
                    runStep(pick());
                }
                step = steps + 1;
                op = "final grid state";
                checkGridState();
            }
            finally
            {
                pipeline.close();
                service.attachJournal(null);
                journal.close();
            }
            op = "journal replay";
            checkReplay(JournalReplayer.replay(journalDir, clock.time(), RETENTION_MS));
            runsPassed++;
        }

        private Op pick()
        {
            int r = random.nextInt(TOTAL_WEIGHT);
            for (final Op o : Op.values())
            {
                r -= o.weight;
                if (r < 0)
                {
                    return o;
                }
            }
            throw new IllegalStateException("weights");
        }

        private void runStep(final Op next)
        {
            if (next != Op.SETTLE_AT_EXPIRY && next != Op.SWEEP_AT_EXPIRY && next != Op.IDLE)
            {
                clock.advance(random.nextInt(10) < 3 ? 0 : 1 + random.nextInt(2_000));
            }
            switch (next)
            {
                case SET -> setStock();
                case ADJUST -> adjust();
                case RETURN -> acceptReturn();
                case RESERVE -> reserve();
                case COMMIT -> settle(pickSettleTarget(), Commands.SettleAction.COMMIT);
                case RELEASE -> settle(pickSettleTarget(), Commands.SettleAction.RELEASE);
                case SWEEP ->
                {
                    clock.advance(random.nextInt(25_000));
                    sweep("sweep");
                }
                case SETTLE_AT_EXPIRY -> settleAtExpiry();
                case SWEEP_AT_EXPIRY -> sweepAtExpiry();
                case QUERY -> query();
                case IDLE -> idle();
            }
        }

        // ------------------------------------------------------------------------------------------ operations

        private void setStock()
        {
            final StockKeyRef ref = pickKey();
            final long safetyStock = random.nextInt(10) < 4 ? -1 : random.nextInt(5);
            final Commands.SetStock c = new Commands.SetStock(ref.sku(), ref.location(), random.nextInt(26),
                safetyStock);
            begin("set " + c);
            commands++;
            final StockOutcome actual = await(pipeline.setStock(c));
            expect("setStock outcome", model.setStock(c, clock.time()), actual);
            reached("stock " + actual.code());
        }

        private void adjust()
        {
            final IdScope scope = new IdScope(pickKey());
            final String eventId;
            long delta;
            final List<String> used = idsOn(adjustDeltas.keySet(), scope.prefix());
            if (!used.isEmpty() && random.nextInt(10) < 3)
            {
                eventId = used.get(random.nextInt(used.size()));
                delta = adjustDeltas.get(eventId);
                if (random.nextBoolean())
                {
                    delta += random.nextBoolean() ? 1 : -1;
                }
            }
            else
            {
                eventId = scope.prefix() + "e" + nextId++;
                delta = random.nextInt(28) - 12;
            }
            final int extreme = random.nextInt(40);
            if (extreme == 0)
            {
                delta = Limits.STOCK_MAX - model.key(scope.ref()).onHand + 1 + random.nextInt(5);
            }
            else if (extreme == 1)
            {
                delta = -(model.key(scope.ref()).onHand + 1 + random.nextInt(5));
            }
            final Commands.Adjust c = new Commands.Adjust(scope.ref().sku(), scope.ref().location(), eventId, delta,
                "model");
            begin("adjust " + c);
            adjustDeltas.putIfAbsent(eventId, delta);
            commands++;
            final boolean appliedBefore = appliedIds.contains(eventId);
            final StockOutcome actual = await(pipeline.adjust(c));
            expect("adjust outcome", model.adjust(c, clock.time()), actual);
            reached("stock " + actual.code());
            if (appliedBefore && actual.code() == StockOutcome.Code.APPLIED)
            {
                reached("id applied after retention");
            }
            if (actual.code() == StockOutcome.Code.APPLIED)
            {
                appliedIds.add(eventId);
            }
        }

        private void acceptReturn()
        {
            final IdScope scope = new IdScope(pickKey());
            final List<String> used = idsOn(returnBodies.keySet(), scope.prefix());
            Commands.Return c;
            if (!used.isEmpty() && random.nextInt(10) < 3)
            {
                c = returnBodies.get(used.get(random.nextInt(used.size())));
                final int change = random.nextInt(3);
                if (change == 1)
                {
                    c = new Commands.Return(c.returnId(), c.sku(), c.location(), c.quantity() + 1, c.disposition());
                }
                else if (change == 2)
                {
                    c = new Commands.Return(c.returnId(), c.sku(), c.location(), c.quantity(),
                        c.disposition() == ReturnDisposition.RESTOCK ?
                        ReturnDisposition.DAMAGED : ReturnDisposition.RESTOCK);
                }
            }
            else
            {
                c = new Commands.Return(scope.prefix() + "ret" + nextId++, scope.ref().sku(),
                    scope.ref().location(), 1 + random.nextInt(8),
                    random.nextInt(10) < 7 ? ReturnDisposition.RESTOCK : ReturnDisposition.DAMAGED);
            }
            returnBodies.putIfAbsent(c.returnId(), c);
            begin("return " + c);
            commands++;
            final StockOutcome actual = await(pipeline.acceptReturn(c));
            expect("return outcome", model.acceptReturn(c, clock.time()), actual);
            reached("stock " + actual.code());
        }

        private void reserve()
        {
            final Commands.Reserve c;
            if (!reservationIds.isEmpty() && random.nextInt(4) == 0)
            {
                final String id = reservationIds.get(random.nextInt(reservationIds.size()));
                final Commands.Reserve first = reserveBodies.get(id);
                if (random.nextBoolean())
                {
                    c = new Commands.Reserve(id, first.lines(), first.ttlSeconds(), "corr-" + step,
                        first.fingerprint());
                }
                else
                {
                    c = reserveCommand(id, randomLines(), 1 + random.nextInt(20));
                }
            }
            else
            {
                final String id = "res-" + seed + "-" + nextId++;
                reservationIds.add(id);
                c = reserveCommand(id, randomLines(), 1 + random.nextInt(20));
            }
            reserveBodies.putIfAbsent(c.reservationId(), c);
            begin("reserve " + c);
            commands++;
            final ReservationOutcome actual = await(pipeline.reserve(c));
            final boolean idUsedBefore = model.reservations.containsKey(c.reservationId());
            final ReservationOutcome expected = model.reserve(c, clock.time());
            expect("reserve outcome", expected, actual);
            reached("reserve " + actual.code());
            if (idUsedBefore && (actual.code() == ReservationOutcome.Code.HELD ||
                actual.code() == ReservationOutcome.Code.REJECTED))
            {
                reached("reserve afresh after retention");
            }
            if (expected.code() == ReservationOutcome.Code.HELD || expected.code() == ReservationOutcome.Code.REJECTED)
            {
                // A reservation made afresh (also after its id was forgotten) is what a same-body retry repeats.
                reserveBodies.put(c.reservationId(), c);
            }
            checkHoldEffectsFit(actual.effects());
        }

        private Commands.Reserve reserveCommand(final String id, final List<ReservationLine> lines, final int ttl)
        {
            return new Commands.Reserve(id, lines, ttl, random.nextInt(5) == 0 ? null : "corr-" + step,
                fingerprint(lines, ttl));
        }

        private List<ReservationLine> randomLines()
        {
            final List<StockKeyRef> shuffled = new ArrayList<>(KEYS);
            Collections.shuffle(shuffled, random);
            final int count = 1 + random.nextInt(4);
            final List<ReservationLine> lines = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                lines.add(new ReservationLine(shuffled.get(i).sku(), shuffled.get(i).location(),
                    1 + random.nextInt(6)));
            }
            return List.copyOf(lines);
        }

        private static String fingerprint(final List<ReservationLine> lines, final int ttlSeconds)
        {
            final StringBuilder sb = new StringBuilder().append(ttlSeconds);
            for (final ReservationLine line : lines)
            {
                sb.append('|').append(line.sku()).append('/').append(line.location()).append('/')
                    .append(line.quantity());
            }
            return sb.toString();
        }

        private void settle(final String id, final Commands.SettleAction action)
        {
            final Commands.Settle c = new Commands.Settle(id, action);
            begin(action.name().toLowerCase() + " " + id);
            commands++;
            final ReservationState before = model.reservations.get(id);
            final ReservationOutcome actual = await(pipeline.settle(c));
            expect(action.name().toLowerCase() + " outcome", model.settle(c, clock.time()), actual);
            reached("settle " + actual.code());
            if (actual.code() == ReservationOutcome.Code.SETTLED && before.phase() != ReservationPhase.HELD)
            {
                reached("settle repeated");
            }
            if (actual.code() == ReservationOutcome.Code.NOT_HELD && before.phase() == ReservationPhase.HELD)
            {
                reached("settle expired now");
            }
        }

        /** Commit or release exactly at a held reservation's expiry (it expires there), or one ms before it. */
        private void settleAtExpiry()
        {
            final List<ReservationState> held = heldReservations(clock.time());
            if (held.isEmpty())
            {
                settle(pickReservationId(), Commands.SettleAction.COMMIT);
                return;
            }
            final ReservationState target = held.get(random.nextInt(held.size()));
            clock.update(Math.max(clock.time(), target.expiresAtMs() - (random.nextBoolean() ? 0 : 1)));
            settle(target.reservationId(), random.nextBoolean() ?
                Commands.SettleAction.COMMIT : Commands.SettleAction.RELEASE);
        }

        /** Sweeps exactly at the earliest expiry of a held reservation (or one ms before it). */
        private void sweepAtExpiry()
        {
            long earliest = Long.MAX_VALUE;
            for (final ReservationState s : heldReservations(clock.time()))
            {
                earliest = Math.min(earliest, s.expiresAtMs());
            }
            if (earliest != Long.MAX_VALUE)
            {
                clock.update(Math.max(clock.time(), earliest - (random.nextBoolean() ? 0 : 1)));
            }
            sweep("sweep at expiry");
        }

        /**
         * Time passes beyond retention: held reservations expire first (as the sweeper would), then every id and
         * reservation outcome is past its retention, so ids may be used afresh.
         */
        private void idle()
        {
            long latest = clock.time();
            for (final ReservationState s : heldReservations(clock.time()))
            {
                latest = Math.max(latest, s.expiresAtMs());
            }
            clock.update(latest);
            sweep("idle: expire the held");
            clock.advance(RETENTION_MS + 1 + random.nextInt(60_000));
            sweep("idle: after retention");
        }

        private void sweep(final String what)
        {
            begin(what + " at " + (clock.time() - START_MS));
            final Set<String> due = model.due(clock.time());
            final SweepOutcome actual = pipeline.sweepOnce(SWEEP_BATCH);
            final List<String> order = new ArrayList<>();
            for (final ReservationState s : actual.transitions())
            {
                order.add(s.reservationId());
            }
            expect("ids the sweep expired", due, new TreeSet<>(order));
            if (order.size() != due.size())
            {
                fail("the sweep expired a reservation twice: " + order);
            }
            expect("sweep outcome", model.sweep(order, clock.time()), actual);
            if (!order.isEmpty())
            {
                reached("sweep expired");
            }
        }

        private void query()
        {
            final StockKeyRef ref = pickKey();
            final String id = pickReservationId();
            final String sku = SKUS.get(random.nextInt(SKUS.size()));
            final long cutoffMs = clock.time() + random.nextInt(30_000);
            begin("query " + ref + ", " + sku + ", " + id + ", indexes at " + (cutoffMs - START_MS));
            expect("availability of " + ref, model.key(ref).availability(),
                await(pipeline.availability(ref.sku(), ref.location())));
            expect("availability of " + sku, skuAvailability(sku), await(pipeline.availability(sku)));
            expect("reservation " + id, model.reservations.get(id), await(pipeline.reservation(id)));
            checkIndexes(cutoffMs);
        }

        // -------------------------------------------------------------------------------------------- checks

        /** From outside, on what the real system journaled: every hold left reserved + safetyStock <= onHand. */
        private void checkHoldEffectsFit(final List<KeyEffect> effects)
        {
            for (final KeyEffect e : effects)
            {
                if (e.kind() == KeyEffect.Kind.HOLD && e.reserved() + e.safetyStock() > e.onHand())
                {
                    fail("oversold: " + e);
                }
            }
        }

        private SkuAvailability skuAvailability(final String sku)
        {
            final List<Availability> locations = new ArrayList<>();
            long available = 0;
            for (final ModelKey k : model.keys.values())
            {
                if (k.exists && k.ref.sku().equals(sku))
                {
                    locations.add(k.availability());
                    available += k.availability().available();
                }
            }
            locations.sort(Comparator.comparing(Availability::location));
            return new SkuAvailability(sku, available, List.copyOf(locations));
        }

        /** The grid's two SORTED indexes find exactly the keys and reservations the model says are due. */
        private void checkIndexes(final long cutoffMs)
        {
            final Set<StockKey> expectedKeys = new HashSet<>();
            for (final ModelKey k : model.keys.values())
            {
                if (k.exists && k.earliestExpiryMs() <= cutoffMs)
                {
                    expectedKeys.add(new StockKey(k.ref.sku(), k.ref.location()));
                }
            }
            expect("stock keys with a hold expiring by " + (cutoffMs - START_MS), expectedKeys,
                new HashSet<>(stockMap.keysAtMost("earliestExpiryMs", cutoffMs)));
            final Set<String> expectedIds = new HashSet<>();
            for (final ReservationState s : model.reservations.values())
            {
                if (s.phase().holdsStock() && s.expiresAtMs() <= cutoffMs)
                {
                    expectedIds.add(s.reservationId());
                }
            }
            expect("reservations held until " + (cutoffMs - START_MS), expectedIds,
                new HashSet<>(reservationMap.keysAtMost("heldUntilMs", cutoffMs)));
        }

        private void checkGridState()
        {
            final Set<StockKey> expectedKeys = new HashSet<>();
            for (final ModelKey k : model.keys.values())
            {
                final StockRecord record = stockMap.get(new StockKey(k.ref.sku(), k.ref.location()));
                if (!k.exists)
                {
                    expect("no record for " + k.ref, null, record);
                    continue;
                }
                expectedKeys.add(new StockKey(k.ref.sku(), k.ref.location()));
                if (record == null)
                {
                    fail("no record in the grid for " + k.ref);
                }
                expect(k.ref + " availability", k.availability(), record.toAvailability());
                expect(k.ref + " available", k.availability().available(), record.available());
                expect(k.ref + " version", k.version, record.version());
                expect(k.ref + " holds", new HashMap<>(k.holds), gridHolds(record));
                expect(k.ref + " remembered ids", new HashMap<>(k.seen), gridSeen(record));
                expect(k.ref + " earliest expiry", k.earliestExpiryMs(), record.getEarliestExpiryMs());
            }
            expect("keys in the grid", expectedKeys, new HashSet<>(stockMap.keySet()));
            for (final String sku : SKUS)
            {
                expect("availability of " + sku, skuAvailability(sku), await(pipeline.availability(sku)));
            }

            expect("reservation ids in the grid", new HashSet<>(model.reservations.keySet()),
                new HashSet<>(reservationMap.keySet()));
            for (final ReservationState expected : model.reservations.values())
            {
                expect("reservation " + expected.reservationId(), expected,
                    await(pipeline.reservation(expected.reservationId())));
            }

            final TreeSet<Long> cutoffs = new TreeSet<>(List.of(clock.time(), Long.MAX_VALUE - 1));
            for (final ModelKey k : model.keys.values())
            {
                for (final RecoveredState.Hold hold : k.holds.values())
                {
                    cutoffs.add(hold.expiresAtMs() - 1);
                    cutoffs.add(hold.expiresAtMs());
                }
            }
            for (final long cutoffMs : cutoffs)
            {
                checkIndexes(cutoffMs);
            }
        }

        private void checkReplay(final JournalReplayer.Result replay)
        {
            expect("replay violations", List.of(), replay.violations());
            expect("replay version gaps", 0L, replay.versionGaps());
            expect("replay commands in doubt", 0L, replay.commandsInDoubt());
            expect("replay last command seq", commands, replay.lastSeq());

            final long nowMs = clock.time();
            final Map<StockKeyRef, RecoveredState.Key> replayedKeys = new HashMap<>();
            for (final RecoveredState.Key key : replay.state().keys())
            {
                replayedKeys.put(new StockKeyRef(key.sku(), key.location()), key);
            }
            final Set<StockKeyRef> expectedKeys = new HashSet<>();
            for (final ModelKey k : model.keys.values())
            {
                if (!k.exists)
                {
                    continue;
                }
                expectedKeys.add(k.ref);
                final RecoveredState.Key key = replayedKeys.get(k.ref);
                if (key == null)
                {
                    fail("replay lost key " + k.ref);
                }
                expect("replayed " + k.ref + " onHand", k.onHand, key.onHand());
                expect("replayed " + k.ref + " safetyStock", k.safetyStock, key.safetyStock());
                expect("replayed " + k.ref + " reserved", k.reserved(), key.reserved());
                expect("replayed " + k.ref + " version", k.version, key.version());
                final Map<String, RecoveredState.Hold> holds = new HashMap<>();
                for (final RecoveredState.Hold hold : key.holds())
                {
                    holds.put(hold.reservationId(), hold);
                }
                expect("replayed " + k.ref + " holds", new HashMap<>(k.holds), holds);
                final Map<String, RecoveredState.SeenRequest> expectedSeen = new HashMap<>();
                for (final RecoveredState.SeenRequest s : k.seen.values())
                {
                    if (s.atMs() + RETENTION_MS >= nowMs)
                    {
                        expectedSeen.put(s.id(), s);
                    }
                }
                final Map<String, RecoveredState.SeenRequest> seen = new HashMap<>();
                for (final RecoveredState.SeenRequest s : key.seen())
                {
                    seen.put(s.id(), s);
                }
                expect("replayed " + k.ref + " remembered ids", expectedSeen, seen);
            }
            expect("replayed keys", expectedKeys, replayedKeys.keySet());

            final Map<String, ReservationState> expectedReservations = new HashMap<>();
            for (final ReservationState s : model.reservations.values())
            {
                if (s.retainUntilMs() >= nowMs || s.phase() == ReservationPhase.HELD)
                {
                    expectedReservations.put(s.reservationId(), s);
                }
            }
            final Map<String, ReservationState> replayedReservations = new HashMap<>();
            for (final ReservationState s : replay.state().reservations())
            {
                replayedReservations.put(s.reservationId(), s);
            }
            expect("replayed reservations", expectedReservations, replayedReservations);
        }

        private static Map<String, RecoveredState.Hold> gridHolds(final StockRecord record)
        {
            final Map<String, RecoveredState.Hold> holds = new HashMap<>();
            for (final Map.Entry<String, StockRecord.Hold> e : record.holds().entrySet())
            {
                holds.put(e.getKey(), new RecoveredState.Hold(e.getKey(), e.getValue().quantity(),
                    e.getValue().expiresAtMs()));
            }
            return holds;
        }

        private static Map<String, RecoveredState.SeenRequest> gridSeen(final StockRecord record)
        {
            final Map<String, RecoveredState.SeenRequest> seen = new HashMap<>();
            for (final Map.Entry<String, StockRecord.Seen> e : record.seenRequests().entrySet())
            {
                seen.put(e.getKey(), new RecoveredState.SeenRequest(e.getKey(), e.getValue().atMs(),
                    e.getValue().fingerprint()));
            }
            return seen;
        }

        // ------------------------------------------------------------------------------------------- helpers

        /** A key and the prefix that scopes eventIds/returnIds to it (ids are deduplicated per key). */
        private record IdScope(StockKeyRef ref)
        {
            String prefix()
            {
                return ref.sku() + "." + ref.location() + ":";
            }
        }

        private static List<String> idsOn(final Collection<String> ids, final String prefix)
        {
            final List<String> on = new ArrayList<>();
            for (final String id : ids)
            {
                if (id.startsWith(prefix))
                {
                    on.add(id);
                }
            }
            return on;
        }

        private StockKeyRef pickKey()
        {
            return KEYS.get(random.nextInt(KEYS.size()));
        }

        private String pickReservationId()
        {
            if (reservationIds.isEmpty() || random.nextInt(20) == 0)
            {
                return "res-unknown-" + random.nextInt(3);
            }
            return reservationIds.get(random.nextInt(reservationIds.size()));
        }

        /** Mostly a held reservation (some of them overdue), else any id, already settled or unknown. */
        private String pickSettleTarget()
        {
            final List<ReservationState> held = heldReservations(Long.MIN_VALUE);
            if (!held.isEmpty() && random.nextInt(10) < 6)
            {
                return held.get(random.nextInt(held.size())).reservationId();
            }
            return pickReservationId();
        }

        private List<ReservationState> heldReservations(final long notBeforeMs)
        {
            final List<ReservationState> held = new ArrayList<>();
            for (final ReservationState s : model.reservations.values())
            {
                if (s.phase() == ReservationPhase.HELD && s.expiresAtMs() >= notBeforeMs)
                {
                    held.add(s);
                }
            }
            return held;
        }

        private static void reached(final String path)
        {
            REACHED.merge(path, 1, Integer::sum);
        }

        private void begin(final String description)
        {
            op = description;
            trace.addLast("step " + step + " t+" + (clock.time() - START_MS) + "ms: " + description);
            if (trace.size() > TRACE_LENGTH)
            {
                trace.removeFirst();
            }
        }

        private <T> T await(final CompletableFuture<T> future)
        {
            try
            {
                return future.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw failure("interrupted", ex);
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                throw failure("no answer: " + ex, ex);
            }
        }

        private void expect(final String what, final Object expected, final Object actual)
        {
            if (!Objects.equals(expected, actual))
            {
                if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a)
                {
                    fail(what + ", differing entries:" + mapDifference(e, a));
                }
                fail(what + "\n  expected: " + expected + "\n  actual:   " + actual);
            }
        }

        private static String mapDifference(final Map<?, ?> expected, final Map<?, ?> actual)
        {
            final StringBuilder sb = new StringBuilder();
            final Set<Object> keys = new HashSet<>(expected.keySet());
            keys.addAll(actual.keySet());
            for (final Object key : keys)
            {
                if (!Objects.equals(expected.get(key), actual.get(key)))
                {
                    sb.append("\n  ").append(key).append("\n    expected: ").append(expected.get(key))
                        .append("\n    actual:   ").append(actual.get(key));
                }
            }
            return sb.toString();
        }

        void fail(final String what)
        {
            throw failure(what, null);
        }

        private AssertionError failure(final String what, final Throwable cause)
        {
            return new AssertionError("seed " + seed + ", step " + step + ", op [" + op + "]: " + what
                + "\nrerun with -Dstockgrid.model.seed=" + seed + " (-Dstockgrid.model.steps=" + steps + ")"
                + "\nlast operations:\n  " + String.join("\n  ", trace), cause);
        }
    }
}
