package io.stockgrid.bench;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.grid.ReservationProcessors;
import io.stockgrid.grid.ReservationRecord;
import io.stockgrid.grid.ReservationResult;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The idempotency lookup of a reservation, applied in-process to a plain map entry: {@code Begin} on a reservation
 * record that already exists with the same fingerprint (a retry: EXISTS, nothing changes), and for contrast
 * {@code Begin} on an empty entry (a new reservation: its PENDING record is created).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class IdempotencyLookupBenchmark
{
    @Param({"1", "10"})
    int lines;

    private Map.Entry<String, ReservationRecord> existing;
    private Map.Entry<String, ReservationRecord> empty;
    private ReservationProcessors.Begin begin;

    @Setup
    public void setup()
    {
        final List<ReservationLine> reservationLines = new ArrayList<>(lines);
        for (int i = 0; i < lines; i++)
        {
            reservationLines.add(new ReservationLine("SKU-" + i, "WH-01", 1));
        }
        final long nowMs = 1_800_000_000_000L;
        final String fingerprint = "0123456789abcdef0123456789abcdef";
        final ReservationState held = new ReservationState("order-1", ReservationPhase.HELD, ReservationPhase.HELD, 2,
            nowMs, nowMs + 900_000, nowMs + 900_000 + 86_400_000, fingerprint, null, reservationLines, List.of());
        // The retry's fingerprint is its own string, as it is when it comes off the wire: equals() compares chars.
        final ReservationState pending = new ReservationState("order-1", ReservationPhase.PENDING, null, 1, nowMs,
            nowMs + 900_000, nowMs + 900_000 + 86_400_000, new String(fingerprint.toCharArray()), null,
            reservationLines, List.of());
        existing = new AbstractMap.SimpleEntry<>("order-1", new ReservationRecord(held));
        empty = new AbstractMap.SimpleEntry<>("order-1", null);
        begin = new ReservationProcessors.Begin(pending, nowMs + 1_000);
    }

    @Benchmark
    public ReservationResult beginOnExistingRecord()
    {
        return begin.process(existing);
    }

    @Benchmark
    public ReservationResult beginOnNewRecord()
    {
        empty.setValue(null);
        return begin.process(empty);
    }
}
