package io.stockgrid.bench.load;

import picocli.CommandLine;

/**
 * {@code java -jar benchmarks/target/stockgrid-bench.jar [flags]}: the flash-sale load generator ({@code --help}
 * lists every flag with its default). Exit code 0 when every audit passed, 1 when an audit failed, 2 for bad flags
 * or a target that cannot be reached or is not built.
 */
public final class LoadGeneratorMain
{
    private LoadGeneratorMain()
    {
    }

    public static void main(final String[] args)
    {
        System.setProperty("java.awt.headless", "true");
        final LoadOptions options = new LoadOptions();
        final CommandLine cli = new CommandLine(options).setCaseInsensitiveEnumValuesAllowed(true);
        try
        {
            cli.parseArgs(args);
        }
        catch (final CommandLine.ParameterException ex)
        {
            System.err.println("stockgrid-bench: " + ex.getMessage() + " (see --help)");
            System.exit(2);
            return;
        }
        if (cli.isUsageHelpRequested())
        {
            cli.usage(System.out);
            return;
        }
        if (cli.isVersionHelpRequested())
        {
            cli.printVersionHelp(System.out);
            return;
        }
        final int code;
        try
        {
            options.conclude();
            code = LoadGenerator.run(options, System.out).passed() ? 0 : 1;
        }
        catch (final IllegalArgumentException | UnsupportedOperationException ex)
        {
            System.err.println("stockgrid-bench: " + ex.getMessage());
            System.exit(2);
            return;
        }
        catch (final Exception ex)
        {
            System.err.println("stockgrid-bench: " + ex.getMessage());
            ex.printStackTrace(System.err);
            System.exit(2);
            return;
        }
        System.exit(code);
    }
}
