package io.stockgrid.ingest;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.LongSupplier;

/** The node's Prometheus metrics, in a registry of its own (several nodes may share a JVM in tests). */
public final class IngestMetrics
{
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram requestSeconds;
    private final Gauge holdsActive;
    private final Counter holdsExpired;
    private final Counter overloadRejections;
    private final Counter noQuorumRejections;
    private final Counter reservationOutcomes;
    private final Counter binaryRefusals;
    private final Counter binaryInternalErrors;

    public IngestMetrics()
    {
        requests = Counter.builder().name("stockgrid_http_requests_total")
            .help("HTTP requests by endpoint and answered status code").labelNames("endpoint", "code")
            .register(registry);
        requestSeconds = Histogram.builder().name("stockgrid_http_request_duration_seconds")
            .help("HTTP request latency from the request being read to its answer being written")
            .labelNames("endpoint", "code")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .register(registry);
        holdsActive = Gauge.builder().name("stockgrid_holds_active")
            .help("Holds currently held across all stock records, as seen by this node's journal").register(registry);
        holdsExpired = Counter.builder().name("stockgrid_holds_expired_total")
            .help("Holds returned to availability because their reservation expired").register(registry);
        overloadRejections = Counter.builder().name("stockgrid_overload_rejections_total")
            .help("Requests answered 503 OVERLOADED because the in-flight bound was reached").register(registry);
        noQuorumRejections = Counter.builder().name("stockgrid_no_quorum_rejections_total")
            .help("Mutations answered 503 NO_QUORUM because the member saw fewer members than --min-cluster-size")
            .register(registry);
        reservationOutcomes = Counter.builder().name("stockgrid_reservation_outcomes_total")
            .help("Reservation calls by outcome").labelNames("outcome").register(registry);
        binaryRefusals = Counter.builder().name("stockgrid_binary_refusals_total")
            .help("Binary frames refused: 'request' answered ERROR INVALID_REQUEST, 'connection' closed the connection")
            .labelNames("scope").register(registry);
        binaryInternalErrors = Counter.builder().name("stockgrid_binary_internal_errors_total")
            .help("Unexpected exceptions in the binary door (a bug: each one is logged)").register(registry);
    }

    public void registerBinaryConnections(final LongSupplier connections)
    {
        GaugeWithCallback.builder().name("stockgrid_binary_connections")
            .help("Open connections of the binary door").callback(cb -> cb.call(connections.getAsLong()))
            .register(registry);
    }

    /** A binary frame was refused; {@code connectionClosed} if the refusal closed the connection. */
    public void recordBinaryRefusal(final boolean connectionClosed)
    {
        binaryRefusals.labelValues(connectionClosed ? "connection" : "request").inc();
    }

    public void recordBinaryInternalError()
    {
        binaryInternalErrors.inc();
    }

    public long binaryInternalErrors()
    {
        return (long)binaryInternalErrors.get();
    }

    public void registerJournal(final Journal journal)
    {
        CounterWithCallback.builder().name("stockgrid_journal_appends_total")
            .help("Records appended to the journal").callback(cb -> cb.call(journal.appends())).register(registry);
        CounterWithCallback.builder().name("stockgrid_journal_syncs_total")
            .help("msyncs of the journal (journal-durability sync); appends per sync is the group-commit batch")
            .callback(cb -> cb.call(journal.syncs())).register(registry);
    }

    public void registerInFlight(final LongSupplier inFlight)
    {
        GaugeWithCallback.builder().name("stockgrid_requests_in_flight")
            .help("Requests admitted and not yet answered").callback(cb -> cb.call(inFlight.getAsLong()))
            .register(registry);
    }

    public void recordRequest(final String endpoint, final int code, final long durationNs)
    {
        final String codeLabel = Integer.toString(code);
        requests.labelValues(endpoint, codeLabel).inc();
        requestSeconds.labelValues(endpoint, codeLabel).observe(durationNs / 1e9);
    }

    public void recordOverload()
    {
        overloadRejections.inc();
    }

    public void recordNoQuorum()
    {
        noQuorumRejections.inc();
    }

    public void recordReservation(final ReservationOutcome.Code code)
    {
        reservationOutcomes.labelValues(code.name()).inc();
    }

    /** Keeps the holds gauges in step with what the grid did. */
    public void recordEffects(final List<KeyEffect> effects)
    {
        for (final KeyEffect e : effects)
        {
            switch (e.kind())
            {
                case HOLD -> holdsActive.inc();
                case RELEASE, COMMIT -> holdsActive.dec();
                case EXPIRE ->
                {
                    holdsActive.dec();
                    holdsExpired.inc();
                }
                default ->
                {
                }
            }
        }
    }

    public void setHoldsActive(final long holds)
    {
        holdsActive.set(holds);
    }

    public String contentType()
    {
        return writer.getContentType();
    }

    public byte[] scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try
        {
            writer.write(out, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
