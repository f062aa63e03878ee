package io.stockgrid.ingest.http;

import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.ingest.Commands;
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

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JSON work of the HTTP door for one reservation, on the door's own code: parse and validate a reserve body into
 * a command (fingerprint included), and render the 201 answer. This class sits in the door's package, in the
 * benchmarks module, so that it measures the package-private {@code JsonRequests} and {@code JsonResponses} as they
 * are instead of a copy, without widening the door's public surface.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class HttpJsonBenchmark
{
    @Param({"1", "10"})
    int lines;

    private byte[] body;
    private Reservation answer;

    @Setup
    public void setup()
    {
        final StringBuilder json = new StringBuilder(
            "{\"reservationId\":\"order-0000001\",\"ttlSeconds\":900,\"lines\":[");
        final List<ReservationLine> reservationLines = new ArrayList<>(lines);
        for (int i = 0; i < lines; i++)
        {
            json.append(i == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(100_000 + i)
                .append("\",\"location\":\"WH-01\",\"quantity\":1}");
            reservationLines.add(new ReservationLine("SKU-" + (100_000 + i), "WH-01", 1));
        }
        body = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        answer = new Reservation("order-0000001", ReservationStatus.HELD, Instant.ofEpochMilli(1_800_000_000_000L),
            reservationLines, List.of());
    }

    @Benchmark
    public Commands.Reserve parseReserveBody() throws BadRequest
    {
        return JsonRequests.reserve(body, null);
    }

    @Benchmark
    public byte[] renderHeldAnswer()
    {
        return JsonResponses.reservation(answer);
    }
}
