package io.stockgrid.bench;

import io.stockgrid.api.binary.ReserveDecoder;
import io.stockgrid.api.binary.ReserveEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The binary protocol's codec on its hot message: encode a one-line RESERVE with the flyweight encoder, and validate
 * it with the flyweight decoder as the node's door does (every field checked, no allocation). Reading the strings
 * out (which allocates) is left to the pipeline and not measured here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class WireCodecBenchmark
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final ReserveEncoder encoder = new ReserveEncoder();
    private final ReserveDecoder decoder = new ReserveDecoder();
    private int length;
    private long requestId;

    @Setup
    public void setup()
    {
        length = encode();
    }

    private int encode()
    {
        return encoder.wrap(buffer, 0).requestId(++requestId).ttlSeconds(900).reservationId("order-000000123456")
            .correlationId("checkout-77").line(1, "SKU-000123", "WH-01").encodedLength();
    }

    @Benchmark
    public int encodeReserve()
    {
        return encode();
    }

    @Benchmark
    public boolean decodeAndValidateReserve()
    {
        return decoder.wrap(buffer, 0, length).validate();
    }
}
