package io.stockgrid.grid;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.SweepOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void shouldForgetAtOnceAReservationWhoseMemberLeftWhileMakingIt()
    {
        final IMap<StockKey, StockRecord> stock = hazelcast.getMap(HazelcastInventoryService.STOCK_MAP);
        final IMap<String, ReservationRecord> reservations =
            hazelcast.getMap(HazelcastInventoryService.RESERVATIONS_MAP);
        final long t0 = 5_000_000;
        final StockKey key = new StockKey("ORPHAN", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final String self = GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember());
        for (final String[] made : new String[][] {{"orphan-1", "a-member-that-left"}, {"alive-1", self}})
        {
            final ReservationState pending = new ReservationState(made[0], ReservationPhase.PENDING, null, 1, t0,
                t0 + 3_600_000, t0 + 3_600_000 + RETENTION_MS, "f", null,
                List.of(new ReservationLine("ORPHAN", "WH-1", 2)), List.of());
            reservations.executeOnKey(made[0], new ReservationProcessors.Begin(pending, t0, made[1]));
            stock.executeOnKey(key, new StockProcessors.Hold(made[0], 2, t0 + 3_600_000));
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
        final IMap<StockKey, StockRecord> stock = hazelcast.getMap(HazelcastInventoryService.STOCK_MAP);
        final IMap<String, ReservationRecord> reservations =
            hazelcast.getMap(HazelcastInventoryService.RESERVATIONS_MAP);
        final long t0 = 1_000_000;
        final long expiresAt = t0 + 120_000;
        final StockKey key = new StockKey("STUCK", "WH-1");
        stock.executeOnKey(key, new StockProcessors.SetStock(10, 0));
        final List<ReservationLine> lines = List.of(new ReservationLine("STUCK", "WH-1", 4));
        final ReservationState pending = new ReservationState("stuck-1", ReservationPhase.PENDING, null, 1, t0,
            expiresAt, expiresAt + RETENTION_MS, "f", null, lines, List.of());
        final String self = GridConfig.nodeIdOf(hazelcast.getCluster().getLocalMember());
        reservations.executeOnKey("stuck-1", new ReservationProcessors.Begin(pending, t0, self));
        stock.executeOnKey(key, new StockProcessors.Hold("stuck-1", 4, expiresAt));

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
}
