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
                        journal.appendOutcome(seq, JournalCodec.CMD_COMMIT, 2);
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
            journal.appendOutcome(seq, JournalCodec.CMD_RELEASE, 2);
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
    void shouldReportConsecutiveReservationStatesThatAreNoStepOfTheLifeCycle()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            journal.appendReservation(state("ok", ReservationPhase.PENDING, 1), false);
            journal.appendReservation(state("ok", ReservationPhase.HELD, 2), false);
            journal.appendReservation(state("ok", ReservationPhase.COMMITTED, 3), false);
            // Versions 2 and 3 were journaled by another member: a gap, not checked.
            journal.appendReservation(state("gap", ReservationPhase.PENDING, 1), false);
            journal.appendReservation(state("gap", ReservationPhase.RELEASED, 4), false);
            journal.appendReservation(state("bad", ReservationPhase.HELD, 2), false);
            journal.appendReservation(state("bad", ReservationPhase.PENDING, 3), false);
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 1_000_000, 3_600_000);
        assertThat(replay.violations()).singleElement().satisfies(v -> assertThat(v)
            .contains("reservation bad").contains("HELD -> version 3 PENDING"));
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

    @Test
    void shouldStartAKeyAfreshAtItsLatestWholeRecordSnapshot()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            // This member gained the record at version 7 (its history is in another member's journal): the first
            // change it made journaled the record whole; later changes are effects on top of it.
            journal.appendKeySnapshot(new RecoveredState.Key("S", "L", 10, 1, 7,
                List.of(new RecoveredState.Hold("old", 2, 60_000)),
                List.of(new RecoveredState.SeenRequest("adjust:e1", 5, 3))));
            journal.appendEffect(new KeyEffect("S", "L", 8, 10, 1, 3, KeyEffect.Kind.HOLD, "r1", 1, 70_000, 0));
            journal.appendEffect(new KeyEffect("S", "L", 9, 10, 1, 1, KeyEffect.Kind.RELEASE, "old", 2, 0, 0));
            // A periodic snapshot repeats version 9 whole: nothing changes.
            journal.appendKeySnapshot(new RecoveredState.Key("S", "L", 10, 1, 9,
                List.of(new RecoveredState.Hold("r1", 1, 70_000)),
                List.of(new RecoveredState.SeenRequest("adjust:e1", 5, 3))));
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 10, 3_600_000);
        assertThat(replay.violations()).isEmpty();
        assertThat(replay.versionGaps()).as("a snapshot is a complete start").isZero();
        final RecoveredState.Key key = replay.state().keys().get(0);
        assertThat(key.version()).isEqualTo(9);
        assertThat(key.reserved()).isEqualTo(1);
        assertThat(key.holds()).containsExactly(new RecoveredState.Hold("r1", 1, 70_000));
        assertThat(key.seen()).extracting(RecoveredState.SeenRequest::id).containsExactly("adjust:e1");
    }

    @Test
    void shouldStillCatchAnOversellAfterASnapshot()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            journal.appendKeySnapshot(new RecoveredState.Key("S", "L", 2, 0, 4,
                List.of(new RecoveredState.Hold("a", 2, 60_000)), List.of()));
            journal.appendEffect(new KeyEffect("S", "L", 5, 2, 0, 3, KeyEffect.Kind.HOLD, "b", 1, 60_000, 0));
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 0, 3_600_000);
        assertThat(replay.violations()).anySatisfy(v -> assertThat(v).contains("exceeded the 0 available"));
    }

    @Test
    void shouldForgetEverythingBeforeAResetButKeepTheSequence()
    {
        try (Journal journal = new Journal(dir, Journal.Durability.MAPPED, 0))
        {
            journal.appendEffect(new KeyEffect("OLD", "L", 1, 5, 0, 0, KeyEffect.Kind.SET, "", 0, 0, 0));
            journal.appendReservation(state("r-old", ReservationPhase.HELD, 2), false);
            journal.appendCommand(new Commands.Settle("r-old", Commands.SettleAction.COMMIT), 1);
            journal.appendReset("merging into the larger side after a split");
            journal.appendEffect(new KeyEffect("NEW", "L", 1, 7, 0, 0, KeyEffect.Kind.SET, "", 0, 0, 0));
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(dir, 1_000_000, 3_600_000);
        assertThat(replay.resets()).isEqualTo(1);
        assertThat(replay.state().keys()).extracting(RecoveredState.Key::sku).containsExactly("NEW");
        assertThat(replay.state().reservations()).isEmpty();
        assertThat(replay.commandsInDoubt()).as("a superseded command is not in doubt").isZero();
        assertThat(replay.lastSeq()).as("sequence numbers never go back").isEqualTo(1);
    }

    @Test
    void shouldReplayGenerationsInOrderAsOneJournal(@TempDir final Path dataDir)
    {
        final Path first = JournalGenerations.next(dataDir, List.of());
        try (Journal journal = new Journal(first, Journal.Durability.MAPPED, 0))
        {
            journal.appendEffect(new KeyEffect("S", "L", 1, 5, 0, 0, KeyEffect.Kind.SET, "", 0, 0, 0));
        }
        final Path second = JournalGenerations.next(dataDir, JournalGenerations.existing(dataDir));
        assertThat(second.getFileName().toString()).isEqualTo("gen-000002");
        try (Journal journal = new Journal(second, Journal.Durability.MAPPED, 0))
        {
            journal.appendEffect(new KeyEffect("S", "L", 2, 9, 0, 0, KeyEffect.Kind.SET, "", 0, 0, 0));
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(JournalGenerations.existing(dataDir), 0,
            3_600_000);
        assertThat(replay.state().keys()).singleElement().satisfies(k ->
        {
            assertThat(k.version()).isEqualTo(2);
            assertThat(k.onHand()).isEqualTo(9);
        });
        JournalGenerations.delete(List.of(first));
        assertThat(JournalGenerations.existing(dataDir)).containsExactly(second);
    }

    @Test
    void shouldDeleteCycleFilesOlderThanTheSnapshotKeepingTheRetainedOnes(@TempDir final Path journalDir)
        throws Exception
    {
        System.setProperty(Journal.ROLL_CYCLE_PROPERTY, "TEST_SECONDLY");
        try (Journal journal = new Journal(journalDir, Journal.Durability.MAPPED, 0))
        {
            for (int cycle = 0; cycle < 4; cycle++)
            {
                journal.appendEffect(new KeyEffect("S", "L", cycle + 1, cycle, 0, 0, KeyEffect.Kind.SET, "", 0, 0,
                    0));
                Thread.sleep(1_100); // the next append rolls to a new one-second cycle file
            }
            final long begin = journal.appendSnapshotBegin();
            journal.appendKeySnapshot(new RecoveredState.Key("S", "L", 3, 0, 4, List.of(), List.of()));
            journal.appendSnapshotEnd(1);
            assertThat(cq4Files(journalDir)).as("four cycles and the snapshot's").hasSize(5);

            assertThat(journal.deleteCyclesBefore(begin, 1)).as("all but one before the snapshot's").isEqualTo(3);
            assertThat(cq4Files(journalDir)).hasSize(2);
        }
        finally
        {
            System.clearProperty(Journal.ROLL_CYCLE_PROPERTY);
        }
        final JournalReplayer.Result replay = JournalReplayer.replay(journalDir, 0, 3_600_000);
        assertThat(replay.violations()).isEmpty();
        assertThat(replay.state().keys()).singleElement().satisfies(k ->
        {
            assertThat(k.version()).isEqualTo(4);
            assertThat(k.onHand()).isEqualTo(3);
        });
    }

    private static List<Path> cq4Files(final Path dir) throws java.io.IOException
    {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    private static ReservationState state(final String id, final ReservationPhase phase, final long version)
    {
        return new ReservationState(id, phase, phase == ReservationPhase.PENDING ? null : phase, version, 1_000_000,
            1_060_000, 90_000_000, "f", null, LINES, List.of());
    }
}
