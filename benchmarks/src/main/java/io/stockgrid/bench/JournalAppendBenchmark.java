package io.stockgrid.bench;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
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
 * What the journal adds to one one-line reservation: its command, the grid's records of it (the reservation PENDING and
 * HELD, the hold's effect) and its outcome mark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class JournalAppendBenchmark
{
    @Param({"MAPPED", "SYNC"})
    Journal.Durability durability;

    private Path dir;
    private Journal journal;
    private Commands.Reserve command;
    private List<ReservationState> states;
    private List<KeyEffect> effects;

    @Setup(Level.Trial)
    public void setup() throws IOException
    {
        dir = Files.createTempDirectory("stockgrid-jmh-journal");
        journal = new Journal(dir, durability, 0);
        final List<ReservationLine> lines = List.of(new ReservationLine("SKU-000123", "WH-01", 1));
        command = new Commands.Reserve("order-0000001", lines, 900, null, "0123456789abcdef0123456789abcdef");
        states = List.of(new ReservationState("order-0000001", ReservationPhase.HELD, ReservationPhase.HELD, 2, 0,
            900_000, 87_300_000, command.fingerprint(), null, lines, List.of()));
        effects = List.of(new KeyEffect("SKU-000123", "WH-01", 42, 100, 0, 1, KeyEffect.Kind.HOLD, "order-0000001", 1,
            900_000, 0));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        journal.close();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long oneLineReservation()
    {
        final long seq = journal.appendCommand(command, 1);
        journal.appendReservation(states.get(0), false);
        journal.appendEffect(effects.get(0));
        journal.appendReservation(states.get(0), false);
        journal.appendOutcome(seq, (byte)4, 2);
        return seq;
    }
}
