package io.stockgrid.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target's connections: requests go round robin, the outstanding count is their sum, and closing closes each
 * once. Every {@link Target} keeps one, so that they spread and count load the same way.
 */
final class ConnectionSet<C extends WindowedConnection>
{
    private final List<C> connections = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private boolean closed;

    void add(final C connection)
    {
        connections.add(connection);
    }

    C get(final int index)
    {
        return connections.get(index);
    }

    void send(final Request request)
    {
        connections.get(Math.floorMod(next.getAndIncrement(), connections.size())).submit(request);
    }

    int outstanding()
    {
        int sum = 0;
        for (final C c : connections)
        {
            sum += c.outstanding();
        }
        return sum;
    }

    /** Closes every connection; returns false if they were already closed (the caller's own clean-up is done). */
    boolean close()
    {
        if (closed)
        {
            return false;
        }
        closed = true;
        for (final C c : connections)
        {
            c.close();
        }
        return true;
    }
}
