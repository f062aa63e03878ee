package io.stockgrid.bench.load;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.client.ClientEventLoops;
import io.stockgrid.api.client.ClientTls;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Stockgrid over its binary protocol, through the project's own {@link StockgridClient}: one client (one TCP
 * connection, pipelined) per generator connection, each with the generator's window and backlog in front of it. The
 * clients share {@code --io-threads} I/O threads ({@link ClientEventLoops}), as the HTTP target's connections and
 * Lettuce's do, rather than a thread each.
 * The client's own retries are off, so that every answer the generator counts is the node's first.
 */
final class BinaryTarget implements Target
{
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String host;
    private final int port;
    private final int connectionCount;
    private final int window;
    private final int backlog;
    private final Workload workload;
    private final ConnectionSet<Connection> connections = new ConnectionSet<>();
    private final ClientEventLoops eventLoops;

    /** The API key secret sent in HELLO, or null (a node without keys). */
    private final String apiKey;
    /** The TLS the connections speak, or null (plain TCP). */
    private final ClientTls tls;

    BinaryTarget(final String host, final int port, final int connections, final int window, final int backlog,
        final int ioThreads, final Workload workload, final String apiKey, final ClientTls tls)
    {
        this.apiKey = apiKey;
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.connectionCount = connections;
        this.window = window;
        this.backlog = backlog;
        this.workload = workload;
        this.eventLoops = ClientEventLoops.create(ioThreads);
    }

    @Override
    public String name()
    {
        return "binary";
    }

    @Override
    public String description()
    {
        return "Stockgrid binary protocol v2 at " + host + ":" + port + (tls == null ? "" : " over TLS");
    }

    @Override
    public void connect()
    {
        for (int i = 0; i < connectionCount; i++)
        {
            final StockgridClient client = StockgridClient.builder().address(host, port)
                .connectTimeout(Duration.ofSeconds(5)).requestTimeout(REQUEST_TIMEOUT)
                .maxInFlight(window).maxRetries(0).eventLoops(eventLoops).apiKey(apiKey).tls(tls).build();
            connections.add(new Connection(client));
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
            eventLoops.close();
        }
    }

    private final class Connection extends WindowedConnection
    {
        private final StockgridClient client;

        Connection(final StockgridClient client)
        {
            super(window, backlog);
            this.client = client;
        }

        @Override
        void dispatch(final Request r)
        {
            final CompletableFuture<?> call;
            try
            {
                call = start(r);
            }
            catch (final RuntimeException ex)
            {
                finish(r, Outcome.ERROR, 0);
                return;
            }
            call.whenComplete((value, error) ->
            {
                if (error == null)
                {
                    finish(r, success(r, value), r.status);
                }
                else
                {
                    final Throwable cause = error instanceof CompletionException && error.getCause() != null ?
                        error.getCause() : error;
                    failure(r, cause);
                }
            });
        }

        private CompletableFuture<?> start(final Request r)
        {
            switch (r.op)
            {
                case RESERVE:
                    final List<ReservationLine> lines = new ArrayList<>(r.keys.length);
                    for (final int key : r.keys)
                    {
                        lines.add(new ReservationLine(workload.sku(key), workload.location(key), r.quantity));
                    }
                    return client.reserveAsync(workload.reservationId(r.seq), lines, workload.ttlSeconds, null);
                case COMMIT:
                    return client.commitAsync(workload.reservationId(r.seq));
                case RELEASE:
                    return client.releaseAsync(workload.reservationId(r.seq));
                case SET_STOCK:
                    return client.setStockAsync(workload.sku((int)r.seq), workload.location((int)r.seq), r.quantity,
                        0);
                case READ_STOCK:
                    return client.availabilityAsync(workload.sku((int)r.seq), workload.location((int)r.seq));
                case READ_RESERVATION:
                    return client.reservationAsync(workload.reservationId(r.seq));
                default:
                    throw new IllegalStateException("unexpected op " + r.op);
            }
        }

        /** Maps an answer to the HTTP-like status the summaries use, and to an outcome. */
        private Outcome success(final Request r, final Object value)
        {
            switch (r.op)
            {
                case RESERVE:
                    final Reservation reservation = (Reservation)value;
                    if (reservation.status() == ReservationStatus.REJECTED)
                    {
                        r.status = 409;
                        return Outcome.REJECTED;
                    }
                    r.status = 201;
                    return Outcome.ACCEPTED;
                case READ_STOCK:
                    final Availability a = (Availability)value;
                    r.onHand = a.onHand();
                    r.reserved = a.reserved();
                    r.status = 200;
                    return Outcome.ACCEPTED;
                case READ_RESERVATION:
                    r.reservationStatus = ((Reservation)value).status().name();
                    r.status = 200;
                    return Outcome.ACCEPTED;
                default:
                    r.status = 200;
                    return Outcome.ACCEPTED;
            }
        }

        private void failure(final Request r, final Throwable cause)
        {
            if (cause instanceof StockgridException sg && sg.kind() == StockgridException.Kind.ERROR_ANSWER)
            {
                final ErrorCode code = sg.errorCode();
                final boolean refusal = (r.op == Op.COMMIT || r.op == Op.RELEASE)
                    && code == ErrorCode.RESERVATION_NOT_HELD
                    || r.op == Op.READ_RESERVATION && code == ErrorCode.RESERVATION_NOT_FOUND;
                finish(r, refusal ? Outcome.REJECTED : Outcome.ERROR, code == null ? 0 : code.httpStatus());
                return;
            }
            finish(r, Outcome.ERROR, 0);
        }

        private void finish(final Request r, final Outcome outcome, final int status)
        {
            r.status = status;
            answered();
            r.complete(outcome);
        }

        @Override
        void close()
        {
            client.close();
        }
    }
}
