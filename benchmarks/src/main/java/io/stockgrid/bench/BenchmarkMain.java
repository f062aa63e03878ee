package io.stockgrid.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code java -jar benchmarks/target/stockgrid-jmh.jar [JMH options]}: runs the JMH benchmarks with the JVM flags
 * Chronicle and Agrona need, writing JMH JSON to {@code jmh-result.json} unless {@code -rff} says otherwise.
 */
public final class BenchmarkMain
{
    private BenchmarkMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        final ChainedOptionsBuilder options = new OptionsBuilder().parent(cli).jvmArgsPrepend(JvmFlags.JAVA17);
        if (!cli.getResult().hasValue())
        {
            options.result("jmh-result.json").resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON);
        }
        new Runner(options.build()).run();
    }
}
