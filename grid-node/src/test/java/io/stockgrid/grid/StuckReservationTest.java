package io.stockgrid.grid;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.SweepOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reservation left PENDING by a member that died while making it (its holds placed, its record never finished)
 * is forgotten by the sweep once that member has left, and its holds come back; one whose member is still here is
 * left to that member's call, or to its expiry.
 */
class StuckReservationTest
{
    private static final long RETENTION_MS = 3_600_000;
    private static HazelcastInstance hazelcast;
    private static HazelcastInventoryService service;
    private GridTable<StockKey, StockRecord> stock;
    private GridTable<String, ReservationRecord> reservations;

    @BeforeAll
    static void startMember()
    {
        hazelcast = Hazelcast.newHazelcastInstance(GridConfig.memberConfig(
            "stuck-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), "127.0.0.1", 16801));
        service = new HazelcastInventoryService(hazelcast, 2, 100, RETENTION_MS);
        service.restore(new RecoveredState(List.of(), List.of()));
    }

    @AfterAll
    static void stopMember()
    {
        service.close();
        hazelcast.shutdown();
    }

    @BeforeEach
    void tables()
    {
        stock = service.stockTable();
        reservations = service.reservationTable();
    }

    @Test
    void shouldForgetAtOnceAReservationWhoseMemberLeftWhileMakingIt()
    {
        final long t0 = 5_000_000;
        final StockKey key = new StockKey("ORPHAN", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final String self = GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember());
        for (final String[] made : new String[][] {{"orphan-1", "a-member-that-left"}, {"alive-1", self}})
        {
            final ReservationState pending = pending(made[0], t0, t0 + 3_600_000, "f",
                List.of(new ReservationLine("ORPHAN", "WH-1", 2)));
            reservations.executeOnKey(made[0], new ReservationProcessors.Begin(pending, t0, made[1], 5));
            stock.executeOnKey(key, new StockProcessors.Hold(made[0], 2, t0 + 3_600_000, 5));
        }

        // (The other test's reservation may be swept here too: look only at this test's.)
        assertThat(service.expireDue(t0 + 1_000, 100).join().effects()).extracting(KeyEffect::ref)
            .as("no member has left").doesNotContain("orphan-1", "alive-1");
        service.orphansMayExist();
        final SweepOutcome swept = service.expireDue(t0 + 1_000, 100).join();
        assertThat(swept.effects()).extracting(KeyEffect::ref).contains("orphan-1").doesNotContain("alive-1");
        assertThat(reservations.get("orphan-1")).isNull();
        assertThat(reservations.get("alive-1").phase()).as("its member is here: its call may finish it")
            .isEqualTo(ReservationPhase.PENDING);
        assertThat(stock.get(key).reserved()).isEqualTo(2);
    }

    @Test
    void shouldLeaveAPendingReservationOfALiveMemberAloneUntilItsExpiryAndThenFenceItFirst()
    {
        final long t0 = 1_000_000;
        final long expiresAt = t0 + 120_000;
        final StockKey key = new StockKey("STUCK", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final List<ReservationLine> lines = List.of(new ReservationLine("STUCK", "WH-1", 4));
        final ReservationState pending = pending("stuck-1", t0, expiresAt, "f", lines);
        final String self = GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember());
        reservations.executeOnKey("stuck-1", new ReservationProcessors.Begin(pending, t0, self, 6));
        stock.executeOnKey(key, new StockProcessors.Hold("stuck-1", 4, expiresAt, 6));

        // Its member is here, so a call may still finish it: releasing its holds could race that Finish.
        service.orphansMayExist();
        assertThat(service.expireDue(expiresAt - 1, 100).join().effects()).extracting(KeyEffect::ref)
            .doesNotContain("stuck-1");
        assertThat(reservations.get("stuck-1").phase()).isEqualTo(ReservationPhase.PENDING);
        assertThat(stock.get(key).reserved()).isEqualTo(4);

        // At its expiry the record is fenced first (EXPIRED: no Finish can take it), then its holds come back.
        final SweepOutcome expired = service.expireDue(expiresAt, 100).join();
        assertThat(expired.transitions()).extracting(ReservationState::reservationId).contains("stuck-1");
        assertThat(expired.effects()).filteredOn(e -> e.ref().equals("stuck-1")).singleElement()
            .satisfies(e -> assertThat(e.kind()).isEqualTo(KeyEffect.Kind.EXPIRE));
        assertThat(reservations.get("stuck-1").phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(stock.get(key).reserved()).isZero();
    }

    /**
     * The two halves of giving up on an attempt, which compensation, the sweep and a restart's reconcile share: the
     * record is forgotten only while it is the attempt's own PENDING one, and only the attempt's own holds go back.
     */
    @Test
    void shouldForgetOnlyTheAttemptsPendingRecordAndReturnOnlyItsHolds()
    {
        final long t0 = 7_000_000;
        final long expiresAt = t0 + 600_000;
        final StockKey key = new StockKey("GIVEUP", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final List<ReservationLine> lines = List.of(new ReservationLine("GIVEUP", "WH-1", 3));
        final ReservationState pending = pending("giveup-1", t0, expiresAt, "f", lines);
        final long first = 0x0a11_0001L;
        final long retry = 0x0a11_0002L;
        reservations.executeOnKey("giveup-1", new ReservationProcessors.Begin(pending, t0, "someone", first));
        stock.executeOnKey(key, new StockProcessors.Hold("giveup-1", 3, expiresAt, first));

        assertThat(AttemptFencing.forgetAttempt(reservations, "giveup-1", retry))
            .as("another attempt's PENDING record is not forgotten")
            .isEqualTo(AttemptFencing.GiveUp.NOT_OURS);
        assertThat(reservations.get("giveup-1")).isNotNull();
        assertThat(AttemptFencing.forgetAttempt(reservations, "giveup-1", first))
            .isEqualTo(AttemptFencing.GiveUp.FORGOTTEN);
        assertThat(reservations.get("giveup-1")).isNull();
        assertThat(AttemptFencing.forgetAttempt(reservations, "giveup-1", first))
            .as("forgotten before").isEqualTo(AttemptFencing.GiveUp.NOT_OURS);

        final List<KeyEffect> effects = new ArrayList<>();
        AttemptFencing.returnAttemptHolds(stock, "giveup-1", retry, lines, t0, effects);
        assertThat(effects).as("not the retry's holds: there are none").isEmpty();
        assertThat(stock.get(key).reserved()).isEqualTo(3);
        AttemptFencing.returnAttemptHolds(stock, "giveup-1", first, lines, t0, effects);
        assertThat(effects).singleElement().satisfies(e -> assertThat(e.kind()).isEqualTo(KeyEffect.Kind.RELEASE));
        assertThat(stock.get(key).reserved()).isZero();

        // A retry reserves afresh and is decided: giving up on it now finds its outcome recorded and keeps it.
        reservations.executeOnKey("giveup-1", new ReservationProcessors.Begin(pending, t0, "someone", retry));
        stock.executeOnKey(key, new StockProcessors.Hold("giveup-1", 3, expiresAt, retry));
        reservations.executeOnKey("giveup-1", new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), t0,
            retry));
        assertThat(AttemptFencing.forgetAttempt(reservations, "giveup-1", retry))
            .isEqualTo(AttemptFencing.GiveUp.DECIDED);
        assertThat(AttemptFencing.forgetAttempt(reservations, "giveup-1", first))
            .isEqualTo(AttemptFencing.GiveUp.NOT_OURS);
        AttemptFencing.returnAttemptHolds(stock, "giveup-1", first, lines, t0, effects);
        assertThat(stock.get(key).reserved()).as("the first attempt's late release leaves the retry's hold")
            .isEqualTo(3);
        assertThat(reservations.get("giveup-1").phase()).isEqualTo(ReservationPhase.HELD);
    }

    /**
     * What a split brain did once (SplitBrainTest, 1 run in 11): a member began a reservation and was cut off; the
     * majority forgot it, the client's retry reserved afresh there, and then something acting for the first attempt
     * on a stale view (another member's sweep that had read the record before, the first call's compensation, its
     * late Finish) released by reservationId, taking the retry's hold: the reservation read HELD with no units
     * behind it. Every such actor is now fenced by the attempt, so none of them touches the retry.
     */
    @Test
    void shouldLeaveARetrysReservationWholeWhateverTheForgottenAttemptStillDoes()
    {
        final long t0 = 9_000_000;
        final long expiresAt = t0 + 600_000;
        final StockKey key = new StockKey("SPLIT", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final List<ReservationLine> lines = List.of(new ReservationLine("SPLIT", "WH-1", 2));
        final String fingerprint = Commands.reserveFingerprint(lines, 600);
        final ReservationState pending = pending("split-1", t0, expiresAt, fingerprint, lines);
        final long first = 0x5eed_0001L;
        reservations.executeOnKey("split-1", new ReservationProcessors.Begin(pending, t0, "a-member-cut-off", first));
        stock.executeOnKey(key, new StockProcessors.Hold("split-1", 2, expiresAt, first));
        final ReservationRecord staleView = reservations.get("split-1");

        // The majority forgets the cut-off member's reservation; the client's retry then reserves afresh.
        service.orphansMayExist();
        service.expireDue(t0 + 1_000, 100).join();
        assertThat(reservations.get("split-1")).isNull();
        assertThat(stock.get(key).reserved()).isZero();
        final ReservationOutcome retry = service.reserve(new Commands.Reserve("split-1", lines, 600, null,
            fingerprint), t0 + 2_000).join();
        assertThat(retry.code()).isEqualTo(ReservationOutcome.Code.HELD);
        final long second = reservations.get("split-1").attempt();
        assertThat(second).isNotEqualTo(first).isNotZero();

        // Everything the first attempt may still do, late and on its stale view:
        final List<KeyEffect> effects = new ArrayList<>();
        assertThat(service.fencing().forgetThenReturnHolds(staleView, t0 + 3_000, effects)).as("a sweep's stale read")
            .isFalse();
        assertThat(effects).isEmpty();
        assertThat(stock.executeOnKey(key, StockProcessors.ReleaseHold.ofAttempt("split-1", KeyEffect.Kind.RELEASE,
            first)).code()).as("its compensation").isEqualTo(KeyResult.Code.NO_HOLD);
        assertThat(stock.executeOnKey(key, new StockProcessors.Hold("split-1", 2, expiresAt, first)).code())
            .as("its late hold").isEqualTo(KeyResult.Code.CONFLICT);
        assertThat(reservations.executeOnKey("split-1", new ReservationProcessors.Finish(ReservationPhase.HELD,
            List.of(), t0, first)).code()).as("its late Finish").isEqualTo(ReservationResult.Code.NOT_FOUND);
        assertThat(reservations.executeOnKey("split-1", new ReservationProcessors.Abandon(first)).code())
            .as("its abandon").isEqualTo(ReservationResult.Code.NOT_ALLOWED);

        assertThat(reservations.get("split-1").phase()).isEqualTo(ReservationPhase.HELD);
        assertThat(stock.get(key).reserved()).as("the retry's units are still held").isEqualTo(2);
        assertThat(stock.get(key).holds().get("split-1").attempt()).isEqualTo(second);
    }

    /**
     * A hold an earlier attempt left under the same reservationId (its record already forgotten) is not taken over
     * by a retry: the retry returns what it held, forgets its record and is told REQUEST_IN_PROGRESS; once the
     * earlier hold is gone, the next retry reserves.
     */
    @Test
    void shouldAnswerInProgressAndChangeNothingWhileAnEarlierAttemptsHoldRemains()
    {
        final long t0 = 12_000_000;
        final StockKey leftOver = new StockKey("LEFT", "WH-1");
        final StockKey free = new StockKey("FREE", "WH-1");
        stock.executeOnKey(leftOver, new StockProcessors.SetStock(10, 0));
        stock.executeOnKey(free, new StockProcessors.SetStock(10, 0));
        stock.executeOnKey(leftOver, new StockProcessors.Hold("left-1", 3, t0 + 600_000, 77));
        final List<ReservationLine> lines = List.of(new ReservationLine("FREE", "WH-1", 1),
            new ReservationLine("LEFT", "WH-1", 3));
        final Commands.Reserve command = new Commands.Reserve("left-1", lines, 600, null,
            Commands.reserveFingerprint(lines, 600));

        final ReservationOutcome refused = service.reserve(command, t0).join();

        assertThat(refused.code()).isEqualTo(ReservationOutcome.Code.IN_PROGRESS);
        assertThat(reservations.get("left-1")).as("its record is forgotten, so a retry begins afresh").isNull();
        assertThat(stock.get(free).reserved()).as("what it held is returned").isZero();
        assertThat(stock.get(leftOver).holds().get("left-1").attempt()).as("the earlier hold is untouched")
            .isEqualTo(77);

        stock.executeOnKey(leftOver, StockProcessors.ReleaseHold.ofAttempt("left-1", KeyEffect.Kind.RELEASE, 77));
        assertThat(service.reserve(command, t0 + 1_000).join().code()).isEqualTo(ReservationOutcome.Code.HELD);
        assertThat(stock.get(free).reserved()).isEqualTo(1);
        assertThat(stock.get(leftOver).reserved()).isEqualTo(3);
    }

    /**
     * The expiry sweep fences a reservation (EXPIRED) before it returns the holds, but one that expired while still
     * PENDING may be begun afresh at once (nobody was answered), and the retry's holds can land between the two
     * steps. The sweep returns only the expired attempt's holds.
     */
    @Test
    void shouldReturnOnlyTheExpiredAttemptsHolds()
    {
        final long t0 = 20_000_000;
        final long expiresAt = t0 + 1_000;
        final StockKey slow = new StockKey("EXP-SLOW", "WH-1");
        final StockKey held = new StockKey("EXP-HELD", "WH-1");
        stock.executeOnKey(slow, new StockProcessors.SetStock(10, 0));
        stock.executeOnKey(held, new StockProcessors.SetStock(10, 0));
        final List<ReservationLine> lines = List.of(new ReservationLine("EXP-HELD", "WH-1", 1),
            new ReservationLine("EXP-SLOW", "WH-1", 1));
        final ReservationState pending = pending("exp-1", t0, expiresAt, "f", lines);
        final String self = GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember());
        reservations.executeOnKey("exp-1", new ReservationProcessors.Begin(pending, t0, self, 41));
        stock.executeOnKey(held, new StockProcessors.Hold("exp-1", 1, expiresAt, 41));
        // The first attempt never got to its second line; a retry's hold is there (placed between the sweep's
        // fencing and its releases).
        stock.executeOnKey(slow, new StockProcessors.Hold("exp-1", 1, expiresAt + 60_000, 42));

        final SweepOutcome swept = service.expireDue(expiresAt, 100).join();

        assertThat(swept.transitions()).extracting(ReservationState::reservationId).contains("exp-1");
        assertThat(stock.get(held).reserved()).as("the expired attempt's hold is returned").isZero();
        assertThat(stock.get(slow).holds().get("exp-1")).as("the retry's hold stays").isNotNull();
        assertThat(stock.get(slow).holds().get("exp-1").attempt()).isEqualTo(42);
    }

    /** A PENDING reservation begun at {@code t0}, kept for the retention period after it expires. */
    private static ReservationState pending(final String id, final long t0, final long expiresAt,
        final String fingerprint, final List<ReservationLine> lines)
    {
        return new ReservationState(id, ReservationPhase.PENDING, null, 1, t0, expiresAt, expiresAt + RETENTION_MS,
            fingerprint, null, lines, List.of());
    }
}
