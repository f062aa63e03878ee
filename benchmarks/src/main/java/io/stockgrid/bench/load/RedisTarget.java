package io.stockgrid.bench.load;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: Redis with Stockgrid's reserve, commit and release as atomic Lua scripts ({@code reserve.lua},
 * {@code settle.lua}), driven through Lettuce's asynchronous API. Each connection pipelines up to its window of
 * commands, as the HTTP target does. Keys: {@code sg:<run>:s:<sku>/<location>} (a hash of onHand and reserved) and
 * {@code sg:<run>:r:<reservationId>} (a hash of the reservation's fingerprint, first answer and status).
 */
final class RedisTarget implements Target
{
    /** How long a reservation id is remembered after its expiry, as Stockgrid's default retention (24 h). */
    private static final long RETAIN_AFTER_EXPIRY_MS = 24L * 3_600_000L;

    private final String host;
    private final int port;
    private final int connectionCount;
    private final int window;
    private final int backlog;
    private final Workload workload;
    private final ClientResources resources;
    private final RedisClient client;
    private final ConnectionSet<Connection> connections = new ConnectionSet<>();
    private final String[] stockKeys;
    private final String retainMs = Long.toString(RETAIN_AFTER_EXPIRY_MS);
    private String reserveSha;
    private String settleSha;

    RedisTarget(final String host, final int port, final int connections, final int window, final int backlog,
        final int ioThreads, final Workload workload)
    {
        this.host = host;
        this.port = port;
        this.connectionCount = connections;
        this.window = window;
        this.backlog = backlog;
        this.workload = workload;
        // Lettuce uses at least 2 of each (it raises smaller values itself, with a log line).
        this.resources = DefaultClientResources.builder()
            .ioThreadPoolSize(Math.max(2, ioThreads))
            .computationThreadPoolSize(2)
            .build();
        this.client = RedisClient.create(resources, RedisURI.builder().withHost(host).withPort(port)
            .withTimeout(Duration.ofSeconds(30)).build());
        this.stockKeys = new String[workload.keys];
        for (int i = 0; i < workload.keys; i++)
        {
            stockKeys[i] = "sg:" + workload.runId + ":s:" + workload.sku(i) + "/" + workload.location(i);
        }
    }

    @Override
    public String name()
    {
        return "redis";
    }

    @Override
    public String description()
    {
        return "Redis + Lua at redis://" + host + ":" + port;
    }

    @Override
    public void connect() throws IOException
    {
        try
        {
            for (int i = 0; i < connectionCount; i++)
            {
                connections.add(new Connection(client.connect(StringCodec.UTF8)));
            }
            final RedisAsyncCommands<String, String> commands = connections.get(0).commands;
            reserveSha = commands.scriptLoad(script("reserve.lua")).get(10, TimeUnit.SECONDS);
            settleSha = commands.scriptLoad(script("settle.lua")).get(10, TimeUnit.SECONDS);
        }
        catch (final IOException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IOException("cannot connect to redis://" + host + ":" + port + ": " + ex.getMessage(), ex);
        }
    }

    private static String script(final String name) throws IOException
    {
        try (InputStream in = RedisTarget.class.getResourceAsStream(name))
        {
            if (in == null)
            {
                throw new IOException("script " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void send(final Request request)
    {
        connections.send(request);
    }

    @Override
    public int outstanding()
    {
        return connections.outstanding();
    }

    @Override
    public void close()
    {
        if (connections.close())
        {
            client.shutdown(0, 2, TimeUnit.SECONDS);
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private String reservationKey(final long seq)
    {
        return "sg:" + workload.runId + ":r:" + workload.reservationId(seq);
    }

    private String[] lineKeys(final Request r)
    {
        final String[] keys = new String[r.keys.length + 1];
        keys[0] = reservationKey(r.seq);
        for (int i = 0; i < r.keys.length; i++)
        {
            keys[i + 1] = stockKeys[r.keys[i]];
        }
        return keys;
    }

    private final class Connection extends WindowedConnection
    {
        private final StatefulRedisConnection<String, String> connection;
        private final RedisAsyncCommands<String, String> commands;

        Connection(final StatefulRedisConnection<String, String> connection)
        {
            super(window, backlog);
            this.connection = connection;
            this.commands = connection.async();
        }

        @Override
        void dispatch(final Request r)
        {
            switch (r.op)
            {
                case RESERVE:
                {
                    final String[] args = new String[r.keys.length + 2];
                    args[0] = Integer.toString(workload.ttlSeconds);
                    args[1] = retainMs;
                    for (int i = 0; i < r.keys.length; i++)
                    {
                        args[i + 2] = Long.toString(r.quantity);
                    }
                    final RedisFuture<Long> f = commands.evalsha(reserveSha, ScriptOutputType.INTEGER, lineKeys(r),
                        args);
                    f.whenComplete((code, error) -> finish(r, error, code, code == null ? Outcome.ERROR :
                        code == 1 || code == 2 ? Outcome.ACCEPTED : code == 0 || code == 3 ? Outcome.REJECTED :
                        Outcome.ERROR));
                    break;
                }
                case COMMIT:
                case RELEASE:
                {
                    final String[] args = new String[r.keys.length + 1];
                    args[0] = r.op == Op.COMMIT ? "COMMITTED" : "RELEASED";
                    for (int i = 0; i < r.keys.length; i++)
                    {
                        args[i + 1] = Long.toString(r.quantity);
                    }
                    final RedisFuture<Long> f = commands.evalsha(settleSha, ScriptOutputType.INTEGER, lineKeys(r),
                        args);
                    f.whenComplete((code, error) -> finish(r, error, code, code == null ? Outcome.ERROR :
                        code == 1 || code == 2 ? Outcome.ACCEPTED : code == 0 ? Outcome.REJECTED : Outcome.ERROR));
                    break;
                }
                case SET_STOCK:
                    commands.hset(stockKeys[(int)r.seq], Map.of("onHand", Long.toString(r.quantity), "reserved", "0"))
                        .whenComplete((added, error) -> finish(r, error, 0L, Outcome.ACCEPTED));
                    break;
                case READ_STOCK:
                    commands.hmget(stockKeys[(int)r.seq], "onHand", "reserved").whenComplete((values, error) ->
                    {
                        Outcome outcome = Outcome.ERROR;
                        if (error == null && values.size() == 2 && values.get(0).hasValue())
                        {
                            r.onHand = Long.parseLong(values.get(0).getValue());
                            final KeyValue<String, String> reserved = values.get(1);
                            r.reserved = reserved.hasValue() ? Long.parseLong(reserved.getValue()) : 0;
                            outcome = Outcome.ACCEPTED;
                        }
                        finish(r, error, 0L, outcome);
                    });
                    break;
                case READ_RESERVATION:
                    commands.hget(reservationKey(r.seq), "status").whenComplete((status, error) ->
                    {
                        r.reservationStatus = status;
                        finish(r, error, 0L, status == null ? Outcome.REJECTED : Outcome.ACCEPTED);
                    });
                    break;
                default:
                    throw new IllegalStateException("unexpected op " + r.op);
            }
        }

        private void finish(final Request r, final Throwable error, final Long code, final Outcome outcome)
        {
            r.status = error != null ? 0 : code == null ? 0 : code.intValue();
            answered();
            r.complete(error != null ? Outcome.ERROR : outcome);
        }

        @Override
        void close()
        {
            connection.close();
        }
    }
}
