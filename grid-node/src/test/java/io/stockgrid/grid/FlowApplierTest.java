package io.stockgrid.grid;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one applier that runs reservations and settlements in shared rounds of grid steps: a burst of reservations,
 * each settled (commit, release, or kept) as soon as it is answered, so rounds carry a batch's finishes with the next
 * batch's begins and settlements with reservations. Every call is answered as the one-at-a-time flow would, and the
 * stock the grid keeps is exactly what the answers add up to: units held plus units committed never exceed what was
 * there.
 */
class FlowApplierTest
{
    private static final int KEYS = 4;
    private static final long UNITS = 200;
    private static final int RESERVATIONS = 2_000;

    private HazelcastInstance member;
    private HazelcastInventoryService service;

    @AfterEach
    void stop()
    {
        if (service != null)
        {
            service.close();
        }
        if (member != null)
        {
            member.shutdown();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldAnswerEveryCallAndKeepTheStockTheAnswersAddUpToWhenRoundsShareSteps() throws Exception
    {
        member = Hazelcast.newHazelcastInstance(GridConfig.memberConfig(
            "flows-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), "127.0.0.1", FreePorts.loopback(1)[0]));
        service = new HazelcastInventoryService(member, 2, 10_000, 3_600_000);
        service.restore(new RecoveredState(List.of(), List.of()));
        final long now = System.currentTimeMillis();
        for (int k = 0; k < KEYS; k++)
        {
            assertThat(service.setStock(new Commands.SetStock("SKU-" + k, "LOC-1", UNITS, 0), now).join().code())
                .isEqualTo(io.stockgrid.ingest.StockOutcome.Code.APPLIED);
        }

        final SplittableRandom random = new SplittableRandom(11);
        final List<List<ReservationLine>> linesOf = new ArrayList<>(RESERVATIONS);
        final List<CompletableFuture<ReservationOutcome>> reserved = new ArrayList<>(RESERVATIONS);
        final List<CompletableFuture<ReservationOutcome>> settled = new ArrayList<>(RESERVATIONS);
        for (int i = 0; i < RESERVATIONS; i++)
        {
            final int first = random.nextInt(KEYS);
            final List<ReservationLine> lines = random.nextBoolean() ?
                List.of(new ReservationLine("SKU-" + first, "LOC-1", 1 + random.nextInt(3))) :
                List.of(new ReservationLine("SKU-" + first, "LOC-1", 1 + random.nextInt(3)),
                    new ReservationLine("SKU-" + (first + 1) % KEYS, "LOC-1", 1 + random.nextInt(3)));
            linesOf.add(lines);
            final String id = "r-" + i;
            final Commands.SettleAction action = i % 3 == 0 ? Commands.SettleAction.COMMIT :
                i % 3 == 1 ? Commands.SettleAction.RELEASE : null;
            final CompletableFuture<ReservationOutcome> reservation = service.reserve(new Commands.Reserve(id, lines,
                600, null, Commands.reserveFingerprint(lines, 600)), now);
            reserved.add(reservation);
            // Settled the moment it is answered, from the applier's own completion: it joins a later round.
            settled.add(reservation.thenCompose(r -> r.code() == ReservationOutcome.Code.HELD && action != null ?
                service.settle(new Commands.Settle(id, action), now) : CompletableFuture.completedFuture(null)));
        }
        CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        final Map<String, Long> committed = new HashMap<>();
        final Map<String, Long> held = new HashMap<>();
        int heldCount = 0;
        int rejectedCount = 0;
        for (int i = 0; i < RESERVATIONS; i++)
        {
            final ReservationOutcome r = reserved.get(i).join();
            assertThat(r.code()).as("r-%d", i).isIn(ReservationOutcome.Code.HELD, ReservationOutcome.Code.REJECTED);
            final ReservationPhase phase = service.reservationTable().get("r-" + i).phase();
            if (r.code() == ReservationOutcome.Code.REJECTED)
            {
                rejectedCount++;
                assertThat(phase).as("r-%d", i).isEqualTo(ReservationPhase.REJECTED);
                continue;
            }
            heldCount++;
            final ReservationOutcome s = settled.get(i).join();
            final Map<String, Long> into;
            if (i % 3 == 0)
            {
                assertThat(s.code()).as("commit r-%d", i).isEqualTo(ReservationOutcome.Code.SETTLED);
                assertThat(phase).as("r-%d", i).isEqualTo(ReservationPhase.COMMITTED);
                into = committed;
            }
            else if (i % 3 == 1)
            {
                assertThat(s.code()).as("release r-%d", i).isEqualTo(ReservationOutcome.Code.SETTLED);
                assertThat(phase).as("r-%d", i).isEqualTo(ReservationPhase.RELEASED);
                continue;
            }
            else
            {
                assertThat(phase).as("r-%d", i).isEqualTo(ReservationPhase.HELD);
                into = held;
            }
            for (final ReservationLine line : linesOf.get(i))
            {
                into.merge(line.sku(), line.quantity(), Long::sum);
            }
        }
        for (int k = 0; k < KEYS; k++)
        {
            final String sku = "SKU-" + k;
            final StockRecord record = service.stockRecord(sku, "LOC-1");
            final long units = committed.getOrDefault(sku, 0L);
            assertThat(record.onHand()).as("%s: onHand is what was there less what was committed", sku)
                .isEqualTo(UNITS - units);
            assertThat(record.reserved()).as("%s: reserved is what the kept reservations hold", sku)
                .isEqualTo(held.getOrDefault(sku, 0L));
            assertThat(units + record.reserved()).as("%s: held plus committed within the stock", sku)
                .isLessThanOrEqualTo(UNITS);
        }
        assertThat(heldCount).as("some held").isPositive();
        assertThat(rejectedCount).as("the stock ran short: some rejected").isPositive();

        final FlowApplier flows = service.flows();
        assertThat(flows.reserveCalls()).isEqualTo(RESERVATIONS);
        assertThat(flows.finishesWithBegins()).as("a batch's finishes went with the next batch's begins").isPositive();
        assertThat(flows.settlesWithReserves()).as("settlements went with reservations").isPositive();
        assertThat(flows.rounds()).as("fewer rounds than batches")
            .isLessThan(flows.reserveBatches() + flows.settleBatches());
    }
}
