package io.stockgrid.node;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar stockgrid-node.jar [--flag value ...]}: runs one node until SIGTERM/SIGINT. */
public final class StockgridNodeMain
{
    /** A setting is invalid: nothing was started. */
    static final int EXIT_BAD_SETTING = 2;
    /** The node could not start (a port that cannot be bound, a data dir in use, a journal it refuses). */
    static final int EXIT_CANNOT_START = 1;

    private StockgridNodeMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        // On 2 cores the common pool would have parallelism 1, and CompletableFuture then spawns a thread per async
        // task. Set before anything touches ForkJoinPool; an explicit -D wins.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null)
        {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
        // Netty's leak detector samples one buffer in 128 and records a stack trace for each (about 2% of the node's
        // allocation at peak). Tests keep it on; a node turns it off unless told otherwise with -D.
        if (System.getProperty("io.netty.leakDetection.level") == null)
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("hazelcast.phone.home.enabled", "false");
        if (System.getProperty("org.slf4j.simpleLogger.showDateTime") == null)
        {
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
            System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
        }
        if (args.length > 0 && "keys".equals(args[0]))
        {
            System.exit(KeysCommand.run(args, System.out, System.err));
            return;
        }
        for (final String arg : args)
        {
            if (arg.equals("--help") || arg.equals("-h"))
            {
                printHelp();
                return;
            }
        }
        final NodeConfig config;
        try
        {
            config = NodeConfig.resolve(args, System.getenv());
        }
        catch (final NodeConfig.ConfigException ex)
        {
            System.err.println("stockgrid: " + ex.getMessage());
            System.exit(EXIT_BAD_SETTING);
            return;
        }
        final StockgridNode node;
        try
        {
            node = StockgridNode.start(config);
        }
        catch (final CannotListen ex)
        {
            // One line, no stack trace: the operator needs the port and the setting, not Netty's internals. Exit at
            // once: a failed start may leave non-daemon threads behind that would keep the JVM up, never ready.
            System.err.println("stockgrid: " + ex.getMessage());
            System.exit(EXIT_CANNOT_START);
            return;
        }
        catch (final Exception | Error ex)
        {
            System.err.println("stockgrid: cannot start: " + ex);
            ex.printStackTrace();
            System.exit(EXIT_CANNOT_START);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM/SIGINT and POST /admin/drain run the same stop: drain, close everything, let main return.
        final Runnable stop = () ->
        {
            node.close();
            stopped.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "stockgrid-shutdown"));
        node.onDrainRequest(stop);
        stopped.await();
    }

    static void printHelp()
    {
        final StringBuilder help = new StringBuilder(2048);
        help.append("Usage: java -jar stockgrid-node.jar [--flag value | --flag=value ...]\n\n");
        help.append("Each flag can also be set by its environment variable or, without the dashes, as a key in\n");
        help.append("the --config properties file. Precedence: flag, environment, config file, default.\n\n");
        for (final Setting s : Setting.values())
        {
            help.append(String.format("  %-32s %-42s default: %s%n      %s%n", s.flag(), s.env(),
                s.defaultValue().isEmpty() ? "(none)" : s.defaultValue(), s.description()));
        }
        System.out.print(help);
    }
}
