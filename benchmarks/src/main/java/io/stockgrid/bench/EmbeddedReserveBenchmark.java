package io.stockgrid.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.grid.GridConfig;
import io.stockgrid.grid.HazelcastInventoryService;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.RecoveredState;
import io.stockgrid.ingest.ReservationOutcome;
import org.agrona.concurrent.SystemEpochClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The in-process reserve path end to end on an embedded Hazelcast member, one caller waiting for each answer:
 * {@code SERVICE} is {@code HazelcastInventoryService} alone (Begin, Hold, Finish on the grid, nothing journaled);
 * {@code PIPELINE} adds what the node adds before HTTP: {@code CommandPipeline} (admission, the in-flight map) and the
 * Chronicle journal in a temp dir (command and outcome records, and the grid's EFFECT and RESERVATION records).
 * {@code reserveThenRelease} makes one new one-line reservation and releases it (so stock and memory stay level);
 * {@code retryOfHeldReservation} repeats a held reservation with the same id and body: the idempotency lookup through
 * the grid.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4",
    "-Dhazelcast.logging.type=none"})
public class EmbeddedReserveBenchmark
{
    /** Reservation records are forgotten this long after their expiry, so a long run does not fill the heap. */
    private static final long RETENTION_MS = 1_000;
    private static final int KEYS = 1_000;
    private static final String FINGERPRINT = "0123456789abcdef0123456789abcdef";

    public enum Layer
    {
        SERVICE,
        PIPELINE
    }

    @Param({"SERVICE", "PIPELINE"})
    Layer layer;

    private Path dir;
    private HazelcastInstance hazelcast;
    private HazelcastInventoryService service;
    private Journal journal;
    private CommandPipeline pipeline;
    private Commands.Reserve retry;
    private long next;

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        dir = Files.createTempDirectory("stockgrid-jmh-reserve");
        hazelcast = Hazelcast.newHazelcastInstance(GridConfig.memberConfig("jmh-" + ProcessHandle.current().pid(),
            "127.0.0.1", 25_801));
        service = new HazelcastInventoryService(hazelcast, 8, 4_096, RETENTION_MS);
        service.restore(new RecoveredState(List.of(), List.of()));
        if (layer == Layer.PIPELINE)
        {
            journal = new Journal(Journal.directory(dir), Journal.Durability.MAPPED, 0);
            service.attachJournal(journal);
            pipeline = new CommandPipeline(service, journal, SystemEpochClock.INSTANCE, new IngestMetrics(), 4_096);
        }
        for (int k = 0; k < KEYS; k++)
        {
            service.setStock(new Commands.SetStock("SKU-" + k, "WH-01", 1_000_000_000L, 0),
                System.currentTimeMillis()).join();
        }
        retry = reserveCommand("jmh-retry", 0);
        reserve(retry);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        if (pipeline != null)
        {
            pipeline.close();
        }
        service.close();
        service.attachJournal(null);
        if (journal != null)
        {
            journal.close();
        }
        hazelcast.shutdown();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public ReservationOutcome reserveThenRelease()
    {
        final long n = next++;
        final Commands.Reserve command = reserveCommand("jmh-" + n, (int)(n % KEYS));
        reserve(command);
        final Commands.Settle release = new Commands.Settle(command.reservationId(), Commands.SettleAction.RELEASE);
        return layer == Layer.PIPELINE ? pipeline.settle(release).join() :
            service.settle(release, System.currentTimeMillis()).join();
    }

    @Benchmark
    public ReservationOutcome retryOfHeldReservation()
    {
        return reserve(retry);
    }

    private ReservationOutcome reserve(final Commands.Reserve command)
    {
        return layer == Layer.PIPELINE ? pipeline.reserve(command).join() :
            service.reserve(command, System.currentTimeMillis()).join();
    }

    private static Commands.Reserve reserveCommand(final String id, final int key)
    {
        return new Commands.Reserve(id, List.of(new ReservationLine("SKU-" + key, "WH-01", 1)), 10, null, FINGERPRINT);
    }
}
