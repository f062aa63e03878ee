package io.stockgrid.grid;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Calls that arrive together wait in a bounded queue; applier threads each take what is there (up to a batch
 * bound) and apply it as one batch. Under light load a batch is one call and costs what the call alone would; under
 * load the batches grow and the per-call cost of reaching the grid falls.
 */
abstract class BatchApplier<P> implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(BatchApplier.class);

    private final ArrayBlockingQueue<P> queue;
    private final Thread[] appliers;
    private final int maxBatch;
    private volatile boolean running = true;

    BatchApplier(final String name, final int appliers, final int queueCapacity, final int maxBatch)
    {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.maxBatch = maxBatch;
        this.appliers = new Thread[appliers];
        for (int i = 0; i < appliers; i++)
        {
            final Thread t = new Thread(this::run, name + "-" + (i + 1));
            t.setDaemon(true);
            this.appliers[i] = t;
            t.start();
        }
    }

    /** Queues a call; false when the queue is full or closing (the caller answers "try later"). */
    final boolean offer(final P pending)
    {
        return running && queue.offer(pending);
    }

    /**
     * Takes what is queued now (up to the batch bound) without waiting; nothing once the applier is closing. For an
     * {@link #apply} that goes on with the next batch before it returns.
     */
    final void drainNow(final List<P> into)
    {
        if (running)
        {
            queue.drainTo(into, maxBatch);
        }
    }

    /** Applies one batch; must complete every call in it, and in any batch it takes with {@link #drainNow}. */
    abstract void apply(List<P> batch);

    /** Completes a call that could not be applied. */
    abstract void fail(P pending, Throwable cause);

    private void run()
    {
        final List<P> batch = new ArrayList<>(maxBatch);
        while (running)
        {
            try
            {
                final P first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null)
                {
                    continue;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                apply(batch);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final RuntimeException | Error ex)
            {
                LOG.error("batch of {} failed unexpectedly", batch.size(), ex);
                for (final P p : batch)
                {
                    fail(p, ex);
                }
            }
        }
    }

    @Override
    public void close()
    {
        running = false;
        for (final Thread t : appliers)
        {
            try
            {
                t.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
        P p;
        while ((p = queue.poll()) != null)
        {
            fail(p, io.stockgrid.ingest.Overloaded.INSTANCE);
        }
    }
}
