package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ReservationLine;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A mutation is acknowledged only if the member still sees its quorum once the change is made: a change made after
 * the member dropped the others (the minority side of a split, before the grid's own protection notices) is
 * discarded when the split heals, so its answer must be NO_QUORUM (retryable), never the outcome.
 */
class CommandPipelineQuorumTest
{
    private static final List<ReservationLine> LINES = List.of(new ReservationLine("S", "L", 1));

    @TempDir
    Path dir;
    private Journal journal;
    private CommandPipeline pipeline;
    private final QuorumService service = new QuorumService();

    @BeforeEach
    void open()
    {
        journal = new Journal(dir, Journal.Durability.MAPPED, 0);
        pipeline = new CommandPipeline(service, journal, SystemEpochClock.INSTANCE, new IngestMetrics(), 10);
    }

    @AfterEach
    void close()
    {
        pipeline.close();
        journal.close();
    }

    @Test
    void shouldAnswerTheOutcomeWhenTheQuorumHolds()
    {
        final ReservationOutcome held = pipeline.reserve(reserve("r-1")).join();
        assertThat(held.code()).isEqualTo(ReservationOutcome.Code.HELD);
        assertThat(pipeline.setStock(new Commands.SetStock("S", "L", 5, 0)).join().code())
            .isEqualTo(StockOutcome.Code.APPLIED);
        assertThat(pipeline.settle(new Commands.Settle("r-1", Commands.SettleAction.COMMIT)).join().code())
            .isEqualTo(ReservationOutcome.Code.HELD);
    }

    @Test
    void shouldAnswerNoQuorumWhenTheQuorumWasLostWhileTheChangeWasMade()
    {
        service.loseQuorumWhileApplying = true;

        assertNoQuorum(pipeline.reserve(reserve("r-2")));
        service.quorum = true;
        assertNoQuorum(pipeline.setStock(new Commands.SetStock("S", "L", 5, 0)));
        service.quorum = true;
        assertNoQuorum(pipeline.adjust(new Commands.Adjust("S", "L", "e-1", 2, "")));
        service.quorum = true;
        assertNoQuorum(pipeline.settle(new Commands.Settle("r-2", Commands.SettleAction.RELEASE)));
        assertThat(service.changes).as("each change was made (and is discarded at the heal)").isEqualTo(4);
        assertThat(pipeline.inFlight()).isZero();
    }

    private static void assertNoQuorum(final CompletableFuture<?> answer)
    {
        assertThatThrownBy(answer::join).isInstanceOf(CompletionException.class)
            .satisfies(e -> assertThat(NoQuorum.isCauseOf(e)).as("NO_QUORUM: %s", e).isTrue());
    }

    private static Commands.Reserve reserve(final String id)
    {
        return new Commands.Reserve(id, LINES, 60, null, Commands.reserveFingerprint(LINES, 60));
    }

    /** A grid that makes every change; optionally this member drops the others while it does. */
    private static final class QuorumService extends StubInventoryService
    {
        volatile boolean quorum = true;
        volatile boolean loseQuorumWhileApplying;
        int changes;

        private <T> CompletableFuture<T> change(final T outcome)
        {
            changes++;
            if (loseQuorumWhileApplying)
            {
                quorum = false;
            }
            return CompletableFuture.completedFuture(outcome);
        }

        @Override
        public boolean hasQuorum()
        {
            return quorum;
        }

        @Override
        public CompletableFuture<StockOutcome> setStock(final Commands.SetStock command, final long nowMs)
        {
            return change(new StockOutcome(StockOutcome.Code.APPLIED, Availability.of("S", "L", 5, 0, 0), List.of()));
        }

        @Override
        public CompletableFuture<StockOutcome> adjust(final Commands.Adjust command, final long nowMs)
        {
            return change(new StockOutcome(StockOutcome.Code.APPLIED, Availability.of("S", "L", 7, 0, 0), List.of()));
        }

        @Override
        public CompletableFuture<ReservationOutcome> reserve(final Commands.Reserve command, final long nowMs)
        {
            return change(ReservationOutcome.of(ReservationOutcome.Code.HELD, null));
        }

        @Override
        public CompletableFuture<ReservationOutcome> settle(final Commands.Settle command, final long nowMs)
        {
            return change(ReservationOutcome.of(ReservationOutcome.Code.HELD, null));
        }
    }
}
