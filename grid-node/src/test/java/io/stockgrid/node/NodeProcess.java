package io.stockgrid.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node as a real OS process, started from the packaged jar with {@code java -jar} and no extra flags (so the
 * manifest's Add-Opens are exercised too), for process-level tests that kill it with SIGKILL.
 */
public final class NodeProcess implements AutoCloseable
{
    private final Process process;
    private final int httpPort;
    private final Path log;

    private NodeProcess(final Process process, final int httpPort, final Path log)
    {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    public static Path jar()
    {
        final String jar = System.getProperty("stockgrid.node.jar", "target/stockgrid-node.jar");
        final Path path = Path.of(jar);
        if (!Files.isRegularFile(path))
        {
            throw new IllegalStateException("node jar not found at " + path.toAbsolutePath()
                + " (process tests run in the integration-test phase, after package)");
        }
        return path;
    }

    public static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public static NodeProcess start(final Path dataDir, final int httpPort, final int memberPort,
        final String... extraArgs) throws IOException, InterruptedException
    {
        final List<String> args = new ArrayList<>(List.of("--member-port", Integer.toString(memberPort),
            "--cluster-name", "it-" + memberPort, "--binary-port", "0"));
        args.addAll(List.of(extraArgs));
        final NodeProcess node = launch(dataDir, httpPort, List.of("-Xmx512m"), args);
        node.awaitReady(Duration.ofSeconds(60));
        return node;
    }

    /**
     * Starts the node and returns at once, without waiting for it to be ready: members that wait for each other
     * (--min-cluster-size) must be launched together. Call {@link #awaitReady} afterwards.
     *
     * @param jvmOptions JVM options before -jar, e.g. -Xmx384m.
     * @param args       flags after --http-port and --data-dir (member port, cluster name, members ...).
     */
    public static NodeProcess launch(final Path dataDir, final int httpPort, final List<String> jvmOptions,
        final List<String> args) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "--http-port", Integer.toString(httpPort), "--data-dir",
            dataDir.toString()));
        command.addAll(args);
        final Path log = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        return new NodeProcess(process, httpPort, log);
    }

    /** Waits until GET /health/ready answers 200; fails with the node's log if it exits or the time runs out. */
    public void awaitReady(final Duration timeout) throws InterruptedException, IOException
    {
        final HttpJson http = new HttpJson(httpPort);
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("node exited with " + process.exitValue() + ":\n"
                    + Files.readString(log));
            }
            try
            {
                if (http.send(HttpRequest.newBuilder(java.net.URI.create(http.base() + "/health/ready")).GET())
                    .status() == 200)
                {
                    return;
                }
            }
            catch (final RuntimeException notYet)
            {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node not ready after " + timeout + ":\n" + Files.readString(log));
    }

    public int httpPort()
    {
        return httpPort;
    }

    public Path log()
    {
        return log;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** SIGSTOP: the process is frozen (no heartbeats, no answers) with its sockets open, until {@link #resume()}. */
    public void pause() throws IOException, InterruptedException
    {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException
    {
        signal("-CONT");
    }

    private void signal(final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    /** SIGKILL without waiting for the exit (see {@link #kill()}). */
    public void destroyForcibly()
    {
        process.destroyForcibly();
    }

    /** SIGKILL: no shutdown hook, no drain, no flush. */
    public void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, then wait for the drain and exit. Returns the exit code. */
    public int stop() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
