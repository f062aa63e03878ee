package io.stockgrid.ingest;

import org.slf4j.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs a file's "reload if it changed" check on one daemon thread at a fixed delay: the keys file and the TLS files
 * are re-read this way. A check that throws is logged (one line, the old content stays in force) and the polling
 * goes on; {@link #close()} stops it.
 */
public final class FilePoller implements AutoCloseable
{
    private final ScheduledExecutorService thread;

    /**
     * @param threadName  the polling thread's name.
     * @param intervalMs  the delay between the end of one check and the start of the next.
     * @param check       re-reads the file(s) and swaps the new content in if it changed and is valid.
     * @param log         where a failed check is reported.
     * @param whatStays   what stays in force when a check fails, for the log line (e.g. "the keys in force").
     */
    public FilePoller(final String threadName, final long intervalMs, final BooleanSupplier check, final Logger log,
        final String whatStays)
    {
        thread = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() ->
        {
            try
            {
                check.getAsBoolean();
            }
            catch (final RuntimeException ex)
            {
                log.warn("{}: the check failed; {} stay: {}", threadName, whatStays, ex.toString());
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close()
    {
        thread.shutdownNow();
    }
}
