package io.stockgrid.node;

import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.client.StockgridClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes the node allocates per answer of a reserve-then-commit through the binary door and the whole pipeline
 * (door, journal, batchers, the partition service, the answer), with 64 calls in flight so that batches form as
 * under load. Measured with the JVM's per-thread allocation counters over every thread but the client's and this
 * test's; not a timing test.
 * <p>
 * The engine issue's target is 200 bytes per answer, which is far off (docs/benchmarks.md, session 8): the test
 * prints the figure and fails if it grows past {@link #BOUND_BYTES_PER_ANSWER}, a regression guard set about a
 * third above what it measured when written. Lower the bound as the figure drops.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AnswerAllocationTest
{
    private static final int SKUS = 200;
    private static final int IN_FLIGHT = 64;
    private static final int WARM_UP_CALLS = 30_000;
    private static final int MEASURED_CALLS = 30_000;
    static final long BOUND_BYTES_PER_ANSWER = 5_000;

    @Test
    void shouldAllocateNoMoreThanItsBoundPerAnswer(@TempDir final Path dir) throws Exception
    {
        try (StockgridNode node = TestNode.start(dir);
            StockgridClient client = StockgridClient.builder().address("127.0.0.1", node.binaryPort()).build())
        {
            for (int s = 0; s < SKUS; s++)
            {
                client.setStock(sku(s), "WH", 10_000_000);
            }
            run(client, "warm", WARM_UP_CALLS);
            final long before = nodeAllocatedBytes();
            final int answers = run(client, "measured", MEASURED_CALLS);
            final long allocated = nodeAllocatedBytes() - before;
            final long perAnswer = allocated / answers;
            System.out.printf("node allocation: %,d bytes for %,d answers = %,d bytes per answer%n", allocated,
                answers, perAnswer);
            assertThat(perAnswer).as("bytes the node allocated per answer (target 200)")
                .isPositive().isLessThan(BOUND_BYTES_PER_ANSWER);
        }
    }

    /** Reserve then commit {@code calls} times, {@link #IN_FLIGHT} at a time; returns the answers received. */
    private static int run(final StockgridClient client, final String prefix, final int calls) throws Exception
    {
        int answers = 0;
        for (int start = 0; start < calls; start += IN_FLIGHT)
        {
            final List<CompletableFuture<Reservation>> reserves = new ArrayList<>(IN_FLIGHT);
            for (int i = start; i < Math.min(calls, start + IN_FLIGHT); i++)
            {
                reserves.add(client.reserveAsync(prefix + "-" + i,
                    List.of(new ReservationLine(sku(i % SKUS), "WH", 1))));
            }
            final List<CompletableFuture<Reservation>> commits = new ArrayList<>(IN_FLIGHT);
            for (final CompletableFuture<Reservation> reserve : reserves)
            {
                final Reservation held = reserve.get(30, TimeUnit.SECONDS);
                assertThat(held.status()).isEqualTo(ReservationStatus.HELD);
                commits.add(client.commitAsync(held.reservationId()));
            }
            for (final CompletableFuture<Reservation> commit : commits)
            {
                assertThat(commit.get(30, TimeUnit.SECONDS).status()).isEqualTo(ReservationStatus.COMMITTED);
            }
            answers += reserves.size() + commits.size();
        }
        return answers;
    }

    private static String sku(final int i)
    {
        return "ALLOC-" + i;
    }

    /** Bytes allocated so far by every live thread except the client's and this one. */
    private static long nodeAllocatedBytes()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long total = 0;
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t != Thread.currentThread() && !t.getName().startsWith("stockgrid-client"))
            {
                final long bytes = threads.getThreadAllocatedBytes(t.getId());
                total += Math.max(0, bytes);
            }
        }
        return total;
    }
}
