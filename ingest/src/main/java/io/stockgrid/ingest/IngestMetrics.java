package io.stockgrid.ingest;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ShortLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The node's Prometheus metrics, in a registry of its own (several nodes may share a JVM in tests). Every series is
 * bounded: labels take values from enums and route names, except {@code sku} (the top {@value #REJECTED_SKUS_EXPORTED}
 * of a bounded summary) and {@code location} (at most {@value #FRESHNESS_LOCATIONS_MAX} plus one overflow series).
 */
public final class IngestMetrics
{
    /** SKUs counted by the rejected-reserve summary; the top {@link #REJECTED_SKUS_EXPORTED} are exported. */
    static final int REJECTED_SKUS_TRACKED = 200;
    static final int REJECTED_SKUS_EXPORTED = 20;
    /** Locations with a freshness series of their own; updates to others share the overflow series. */
    static final int FRESHNESS_LOCATIONS_MAX = 10_000;
    private static final double[] LATENCY_BUCKETS_SECONDS =
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    private static final ErrorCode[] ERROR_CODES = ErrorCode.values();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram requestSeconds;
    private final Gauge holdsActive;
    private final Counter holdsExpired;
    private final Counter overloadRejections;
    private final Counter noQuorumRejections;
    private final Counter reservationOutcomes;
    private final AtomicReferenceArray<CounterDataPoint> reservationOutcomePoints =
        new AtomicReferenceArray<>(ReservationOutcome.Code.values().length);
    private final Counter binaryRefusals;
    private final Counter binaryInternalErrors;
    private final Counter binaryRequests;
    private final Histogram binaryRequestSeconds;
    /** Data points of the binary door's series, found once and kept, so that recording allocates nothing. */
    private final AtomicReferenceArray<CounterDataPoint> binaryRequestPoints;
    private final AtomicReferenceArray<DistributionDataPoint> binaryLatencyPoints;
    private final Counter reservationsAccepted;
    private final Counter reservationsRejected;
    private final Histogram reserveAckSeconds;
    private final TopCounts rejectedSkus = new TopCounts(REJECTED_SKUS_TRACKED);
    private final LocationFreshness freshness = new LocationFreshness(FRESHNESS_LOCATIONS_MAX);
    private final Gauge journalBytes;
    private final java.util.concurrent.atomic.AtomicLong maxJournalLagMs = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong lastSnapshotMs = new java.util.concurrent.atomic.AtomicLong();
    private final Gauge snapshotRecords;
    private final Counter keyRequests;
    private final Counter unauthenticated;
    /** Key ids with series of their own; calls of any other id share {@link #KEY_OVERFLOW}. */
    private final java.util.Set<String> keyLabels = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final int KEY_LABELS_MAX = 1_000;
    static final String KEY_OVERFLOW = "(other)";

    /** What the access check decided for a call made with a key. */
    public enum KeyOutcome
    {
        ALLOWED("allowed"),
        FORBIDDEN("forbidden"),
        RATE_LIMITED("rate_limited");

        final String label;

        KeyOutcome(final String label)
        {
            this.label = label;
        }
    }

    public IngestMetrics()
    {
        requests = Counter.builder().name("stockgrid_http_requests_total")
            .help("HTTP requests by endpoint and answered status code").labelNames("endpoint", "code")
            .register(registry);
        requestSeconds = Histogram.builder().name("stockgrid_http_request_duration_seconds")
            .help("HTTP request latency from the request being read to its answer being written")
            .labelNames("endpoint", "code")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
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
        keyRequests = Counter.builder().name("stockgrid_key_requests_total")
            .help("Calls made with an API key, both doors, by key id and access outcome: allowed, forbidden (403, "
                + "the key lacks the scope) or rate_limited (429); at most " + KEY_LABELS_MAX + " key ids, the rest as "
                + "key=\"" + KEY_OVERFLOW + "\"")
            .labelNames("key", "outcome").register(registry);
        unauthenticated = Counter.builder().name("stockgrid_unauthenticated_total")
            .help("Calls refused 401 UNAUTHENTICATED (no key, an unknown or revoked one), by door")
            .labelNames("door").register(registry);
        for (final String door : new String[] {"http", "binary"})
        {
            unauthenticated.labelValues(door);
        }
        reservationOutcomes = Counter.builder().name("stockgrid_reservation_outcomes_total")
            .help("Reservation calls by outcome").labelNames("outcome").register(registry);
        binaryRefusals = Counter.builder().name("stockgrid_binary_refusals_total")
            .help("Binary frames refused: 'request' answered ERROR INVALID_REQUEST, 'connection' closed the connection")
            .labelNames("scope").register(registry);
        binaryInternalErrors = Counter.builder().name("stockgrid_binary_internal_errors_total")
            .help("Unexpected exceptions in the binary door (a bug: each one is logged)").register(registry);
        binaryRequests = Counter.builder().name("stockgrid_binary_requests_total")
            .help("Binary requests answered, by operation and result ('ok' or the error code)")
            .labelNames("operation", "result").register(registry);
        binaryRequestSeconds = Histogram.builder().name("stockgrid_binary_request_duration_seconds")
            .help("Binary request latency from the request being decoded to its answer being encoded")
            .labelNames("operation")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
            .register(registry);
        binaryRequestPoints = new AtomicReferenceArray<>(Operation.count() * (ERROR_CODES.length + 1));
        binaryLatencyPoints = new AtomicReferenceArray<>(Operation.count());
        reservationsAccepted = Counter.builder().name("stockgrid_reservations_accepted_total")
            .help("Reservations held (every line), both doors; retries that replay an answer are not counted")
            .register(registry);
        reservationsRejected = Counter.builder().name("stockgrid_reservations_rejected_total")
            .help("Reservations rejected for insufficient stock, both doors; replayed rejections are not counted")
            .register(registry);
        reserveAckSeconds = Histogram.builder().name("stockgrid_reserve_ack_seconds")
            .help("Reserve to acknowledgement: from the pipeline taking a reserve to its outcome being journaled and "
                + "handed back to the door (held, rejected or replayed)")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS_SECONDS)
            .register(registry);
        GaugeWithCallback.builder().name("stockgrid_reserve_rejections_by_sku")
            .help("Rejected reserves by short SKU since start, the top " + REJECTED_SKUS_EXPORTED
                + " of a space-saving summary of " + REJECTED_SKUS_TRACKED + " SKUs (a count may overestimate)")
            .labelNames("sku")
            .callback(cb ->
            {
                for (final TopCounts.Entry e : rejectedSkus.top(REJECTED_SKUS_EXPORTED))
                {
                    cb.call(e.count(), e.key());
                }
            })
            .register(registry);
        GaugeWithCallback.builder().name("stockgrid_inventory_age_seconds")
            .help("Seconds since this node last applied a stock update (set, adjustment, restock) at the location; "
                + "at most " + FRESHNESS_LOCATIONS_MAX + " locations, the rest as location=\"" + LocationFreshness.OVERFLOW
                + "\"")
            .labelNames("location")
            .callback(cb ->
            {
                final long nowMs = System.currentTimeMillis();
                freshness.forEach((location, lastMs) -> cb.call(Math.max(0, nowMs - lastMs) / 1000.0, location));
            })
            .register(registry);
        GaugeWithCallback.builder().name("stockgrid_inventory_locations")
            .help("Locations with a freshness series of their own (at most " + FRESHNESS_LOCATIONS_MAX + ")")
            .callback(cb -> cb.call(freshness.size()))
            .register(registry);
        journalBytes = Gauge.builder().name("stockgrid_journal_bytes")
            .help("Bytes of the journal's files on disk").register(registry);
        GaugeWithCallback.builder().name("stockgrid_journal_lag_ms")
            .help("Journal-to-grid lag: the longest time, since the previous scrape, from a command being journaled to "
                + "its outcome being journaled (the grid applied it in between), in milliseconds")
            .callback(cb -> cb.call(maxJournalLagMs.getAndSet(0))).register(registry);
        GaugeWithCallback.builder().name("stockgrid_snapshot_age_seconds")
            .help("Age of the last complete snapshot in the journal, in seconds (-1 before the first)")
            .callback(cb ->
            {
                final long last = lastSnapshotMs.get();
                cb.call(last == 0 ? -1 : (System.currentTimeMillis() - last) / 1000.0);
            }).register(registry);
        snapshotRecords = Gauge.builder().name("stockgrid_snapshot_records")
            .help("Records in the last complete snapshot").register(registry);
    }

    /**
     * Registers a gauge read at each scrape (on the HTTP event loop: the supplier must be cheap and must not block).
     * For metrics owned by other modules, e.g. the grid's cluster view.
     */
    public void registerGauge(final String name, final String help, final DoubleSupplier value)
    {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
            .register(registry);
    }

    /** Registers a counter read at each scrape; {@code name} ends in {@code _total}. As {@link #registerGauge}. */
    public void registerCounter(final String name, final String help, final DoubleSupplier value)
    {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble()))
            .register(registry);
    }

    /**
     * A binary request was answered; {@code error} is the answer's error code (for a rejected reservation
     * INSUFFICIENT_STOCK), null for success. Allocation-free once the series exist.
     */
    public void recordBinaryRequest(final Operation op, final ErrorCode error, final long durationNs)
    {
        final int index = op.ordinal() * (ERROR_CODES.length + 1) + (error == null ? 0 : error.ordinal() + 1);
        CounterDataPoint count = binaryRequestPoints.get(index);
        if (count == null)
        {
            count = binaryRequests.labelValues(op.label(), error == null ? "ok" : error.name());
            binaryRequestPoints.set(index, count);
        }
        count.inc();
        DistributionDataPoint latency = binaryLatencyPoints.get(op.ordinal());
        if (latency == null)
        {
            latency = binaryRequestSeconds.labelValues(op.label());
            binaryLatencyPoints.set(op.ordinal(), latency);
        }
        latency.observe(durationNs / 1e9);
    }

    /** A reserve was decided or replayed, {@code durationNs} after the pipeline took it. */
    public void recordReserveAck(final long durationNs)
    {
        reserveAckSeconds.observe(durationNs / 1e9);
    }

    /** A stock update was applied at {@code location} through this node. */
    public void recordStockUpdate(final String location)
    {
        freshness.updated(location, System.currentTimeMillis());
    }

    public void setJournalBytes(final long bytes)
    {
        journalBytes.set(bytes);
    }

    /** One command's journal-to-grid lag: from its command record to its outcome record. */
    public void recordJournalLag(final long lagMs)
    {
        maxJournalLagMs.accumulateAndGet(lagMs, Math::max);
    }

    /** A snapshot finished at {@code atMs} with {@code records} records. */
    public void snapshotTaken(final long atMs, final long records)
    {
        lastSnapshotMs.set(atMs);
        snapshotRecords.set(records);
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

    /** An HTTP request was answered. Allocation-free once the endpoint's and status's series exist. */
    public void recordRequest(final String endpoint, final int code, final long durationNs)
    {
        AtomicReferenceArray<Object> points = httpPoints.get(endpoint);
        if (points == null && code >= 100 && code <= 599 && httpPoints.size() < HTTP_ENDPOINTS_CACHED)
        {
            points = httpPoints.computeIfAbsent(endpoint, e -> new AtomicReferenceArray<>(2 * 500));
        }
        if (points == null || code < 100 || code > 599)
        {
            final String codeLabel = Integer.toString(code);
            requests.labelValues(endpoint, codeLabel).inc();
            requestSeconds.labelValues(endpoint, codeLabel).observe(durationNs / 1e9);
            return;
        }
        final int slot = 2 * (code - 100);
        Object count = points.get(slot);
        if (count == null)
        {
            final String codeLabel = Integer.toString(code);
            // The histogram first: a thread that sees the counter set finds the histogram set too.
            points.set(slot + 1, requestSeconds.labelValues(endpoint, codeLabel));
            count = requests.labelValues(endpoint, codeLabel);
            points.set(slot, count);
        }
        ((CounterDataPoint)count).inc();
        ((DistributionDataPoint)points.get(slot + 1)).observe(durationNs / 1e9);
    }

    /** Endpoints whose series are looked up once (the routes' labels are far fewer). */
    private static final int HTTP_ENDPOINTS_CACHED = 64;
    /** Per endpoint: per status 100..599, the request counter's and the duration histogram's data points. */
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicReferenceArray<Object>> httpPoints =
        new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The data point counting one key's calls of one outcome; the caller keeps it, so that counting allocates
     * nothing. Bounded: beyond {@link #KEY_LABELS_MAX} distinct ids (keys come and go with reloads), the overflow's.
     */
    public CounterDataPoint keyCallPoint(final String keyId, final KeyOutcome outcome)
    {
        final String label = keyLabels.contains(keyId) || keyLabels.size() < KEY_LABELS_MAX && keyLabels.add(keyId) ?
            keyId : KEY_OVERFLOW;
        return keyRequests.labelValues(label, outcome.label);
    }

    public void recordUnauthenticated(final String door)
    {
        unauthenticated.labelValues(door).inc();
    }

    /** The number of keys in force (0 when the node checks no keys). */
    public void registerKeyCount(final LongSupplier keys)
    {
        GaugeWithCallback.builder().name("stockgrid_keys").help("API keys in force (0: the node checks no keys)")
            .callback(cb -> cb.call(keys.getAsLong())).register(registry);
    }

    public void recordOverload()
    {
        overloadRejections.inc();
    }

    public void recordNoQuorum()
    {
        noQuorumRejections.inc();
    }

    public void recordReservation(final ReservationOutcome outcome)
    {
        final int index = outcome.code().ordinal();
        CounterDataPoint count = reservationOutcomePoints.get(index);
        if (count == null)
        {
            // Looked up once per outcome: labelValues compares label lists and allocates on every call (about 8%
            // of the node's allocation at peak when it ran per reservation).
            count = reservationOutcomes.labelValues(outcome.code().name());
            reservationOutcomePoints.set(index, count);
        }
        count.inc();
        if (outcome.code() == ReservationOutcome.Code.HELD)
        {
            reservationsAccepted.inc();
        }
        else if (outcome.code() == ReservationOutcome.Code.REJECTED)
        {
            reservationsRejected.inc();
            if (outcome.state() != null)
            {
                for (final ShortLine line : outcome.state().shortLines())
                {
                    rejectedSkus.add(line.sku());
                }
            }
        }
    }

    /** Keeps the holds gauges in step with what the grid did. */
    public void recordEffects(final List<KeyEffect> effects)
    {
        for (int i = 0; i < effects.size(); i++) // indexed: no iterator per answer
        {
            final KeyEffect e = effects.get(i);
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
