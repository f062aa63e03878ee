package io.stockgrid.bench;

import io.stockgrid.grid.KeyResult;
import io.stockgrid.grid.StockKey;
import io.stockgrid.grid.StockProcessors;
import io.stockgrid.grid.StockRecord;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reserve decision applied in-process, with no grid around it: one Hold then one ReleaseHold on a record that
 * already carries {@code holdsOnRecord} other holds (a hot key in a flash sale carries many).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class HoldProcessorBenchmark
{
    @Param({"0", "1000"})
    int holdsOnRecord;

    private Map.Entry<StockKey, StockRecord> entry;
    private StockProcessors.Hold hold;
    private StockProcessors.ReleaseHold release;

    @Setup
    public void setup()
    {
        entry = new AbstractMap.SimpleEntry<>(new StockKey("SKU", "LOC"), null);
        new StockProcessors.SetStock(1_000_000_000L, 0).process(entry);
        for (int i = 0; i < holdsOnRecord; i++)
        {
            new StockProcessors.Hold("other-" + i, 1, Long.MAX_VALUE - i).process(entry);
        }
        hold = new StockProcessors.Hold("bench", 1, Long.MAX_VALUE);
        release = new StockProcessors.ReleaseHold("bench");
    }

    @Benchmark
    public KeyResult holdThenRelease()
    {
        hold.process(entry);
        return release.process(entry);
    }
}
