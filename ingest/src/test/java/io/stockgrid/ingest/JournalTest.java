package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalTest
{
    private static final List<ReservationLine> LINES = List.of(new ReservationLine("S", "L", 1));

    @TempDir
    Path dir;

    @Test
    void shouldShareOneSyncAmongConcurrentOutcomesAndLoseNone() throws Exception
    {
        final int threads = 8;
        final int perThread = 200;
        try (Journal journal = new Journal(dir, Journal.Durability.SYNC, 0))
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int threadNo = t;
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        start.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    for (int i = 0; i < perThread; i++)
                    {
                        final String id = "r" + threadNo + "-" + i;
                        final long seq = journal.appendCommand(new Commands.Settle(id, Commands.SettleAction.COMMIT),
                            1);
                        journal.appendOutcome(seq, JournalCodec.CMD_COMMIT, 2, 0, List.of(), List.of());
                    }
                });
                worker.start();
                workers.add(worker);
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join();
            }
            assertThat(journal.appends()).isEqualTo(2L * threads * perThread);
            assertThat(journal.syncs()).as("outcomes shared msyncs").isPositive()
                .isLessThanOrEqualTo((long)threads * perThread);
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 0, 1);
        assertThat(replay.records()).isEqualTo(2L * threads * perThread);
        assertThat(replay.commandsInDoubt()).isZero();
        assertThat(replay.lastSeq()).isEqualTo((long)threads * perThread);
    }

    @Test
    void shouldNotSyncInMappedMode()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            final long seq = journal.appendCommand(new Commands.Settle("r", Commands.SettleAction.RELEASE), 1);
            journal.appendOutcome(seq, JournalCodec.CMD_RELEASE, 2, 0, List.of(), List.of());
            assertThat(journal.syncs()).isZero();
        }
    }

    @Test
    void shouldRebuildKeysAndReservationsFromTheGridsRecordsAndReportCommandsWithoutOutcome()
    {
        final long now = 1_000_000;
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            journal.appendEffect(new KeyEffect("S", "L", 1, 10, 0, 0, KeyEffect.Kind.SET, "", 0, 0, now));
            journal.appendCommand(new Commands.Reserve("r1", LINES, 60, null, "f"), now);
            journal.appendReservation(state("r1", ReservationPhase.PENDING, 1), false);
            journal.appendEffect(new KeyEffect("S", "L", 2, 10, 0, 1, KeyEffect.Kind.HOLD, "r1", 1, now + 60_000,
                now));
            journal.appendReservation(state("r1", ReservationPhase.HELD, 2), false);
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, now, 3_600_000);
        assertThat(replay.violations()).isEmpty();
        assertThat(replay.versionGaps()).isZero();
        assertThat(replay.commandsInDoubt()).as("the reserve was never answered").isEqualTo(1);
        final RecoveredState.Key key = replay.state().keys().get(0);
        assertThat(key.onHand()).isEqualTo(10);
        assertThat(key.version()).isEqualTo(2);
        assertThat(key.holds()).containsExactly(new RecoveredState.Hold("r1", 1, now + 60_000));
        assertThat(replay.state().reservations()).extracting(ReservationState::phase)
            .containsExactly(ReservationPhase.HELD);
    }

    @Test
    void shouldReportAHoldThatExceededAvailabilityAsAViolation()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            journal.appendEffect(new KeyEffect("S", "L", 1, 1, 0, 0, KeyEffect.Kind.SET, "", 0, 0, 0));
            journal.appendEffect(new KeyEffect("S", "L", 2, 1, 0, 2, KeyEffect.Kind.HOLD, "r1", 2, 60_000, 0));
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 0, 3_600_000);
        assertThat(replay.violations()).anySatisfy(v -> assertThat(v).contains("exceeded the 1 available"));
    }

    private static ReservationState state(final String id, final ReservationPhase phase, final long version)
    {
        return new ReservationState(id, phase, phase == ReservationPhase.PENDING ? null : phase, version, 1_000_000,
            1_060_000, 90_000_000, "f", null, LINES, List.of());
    }
}
