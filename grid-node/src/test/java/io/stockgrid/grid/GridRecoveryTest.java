package io.stockgrid.grid;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The periodic snapshot walks the member's partitions one at a time, in small steps: every record the member owns is
 * journaled whole exactly once, whatever the partition and step boundaries (a real member, a real Chronicle journal).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GridRecoveryTest
{
    private static final int KEYS = 30;
    private static final int RESERVATIONS = 300;

    @Test
    void shouldJournalEveryOwnedRecordOnceAcrossPartitionsAndSteps(@TempDir final Path dir) throws Exception
    {
        final Config config = GridConfig.memberConfig("recovery-" + ProcessHandle.current().pid() + "-"
            + System.nanoTime(), "127.0.0.1", FreePorts.loopback(1)[0]);
        GridConfig.partitions(config, 5);
        final HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        final HazelcastInventoryService service = new HazelcastInventoryService(member, 2, 10_000, 3_600_000);
        try (Journal journal = new Journal(dir.resolve("journal"), Journal.Durability.MAPPED, 0))
        {
            service.restore(new RecoveredState(List.of(), List.of()));
            service.attachJournal(journal);
            for (int k = 0; k < KEYS; k++)
            {
                HealthyClusterSets.setStock(service.stockTable(), new StockKey("SNAP-" + k, "WH-1"), 1_000);
            }
            final List<CompletableFuture<ReservationOutcome>> answers = new ArrayList<>();
            for (int i = 0; i < RESERVATIONS; i++)
            {
                final List<ReservationLine> lines = List.of(new ReservationLine("SNAP-" + i % KEYS, "WH-1", 1));
                answers.add(service.reserve(new Commands.Reserve("snap-" + i, lines, 600, null,
                    Commands.reserveFingerprint(lines, 600)), System.currentTimeMillis()));
            }
            for (final CompletableFuture<ReservationOutcome> answer : answers)
            {
                assertThat(answer.get(30, TimeUnit.SECONDS).code()).isEqualTo(ReservationOutcome.Code.HELD);
            }
            // 330 records over 5 partitions, 7 a step: every partition is walked in several steps, most ending short.
            service.recovery().snapshotChunk = 7;
            final long appendsBefore = journal.appends();
            final long keySnapshotsBefore = journal.keySnapshots();

            final long[] snapshot = service.snapshotOwned(journal);

            assertThat(snapshot[1]).as("records journaled by the snapshot").isEqualTo(KEYS + RESERVATIONS);
            assertThat(journal.keySnapshots() - keySnapshotsBefore).as("stock records journaled whole")
                .isEqualTo(KEYS);
            assertThat(journal.appends() - appendsBefore).as("appends: every record once, and the two marks")
                .isEqualTo(KEYS + RESERVATIONS + 2);
        }
        finally
        {
            service.attachJournal(null);
            service.close();
            member.shutdown();
        }
    }
}
