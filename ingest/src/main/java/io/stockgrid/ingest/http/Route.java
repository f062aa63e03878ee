package io.stockgrid.ingest.http;

import io.stockgrid.ingest.Operation;
import io.stockgrid.ingest.auth.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Every route the HTTP door serves, each with its method, path template, metric label, inventory operation, the
 * scope a key needs and the handler that answers it: this table is the one place that says what the door serves and
 * who may call it (HttpApiHandler routes, authenticates and reads the body, then calls the route's handler; it names
 * no route itself). The OpenAPI document in the api module must list exactly these (a test checks it), and the
 * metric label of a request is its route's {@link #endpoint()}.
 * <p>
 * New routes go at the end: HttpFuzzTest's seed inputs name a route by its position.
 */
public enum Route
{
    SET_STOCK("PUT", "/v1/stock/{sku}/{location}", "set_stock", Operation.SET_STOCK, Scope.STOCK_WRITE,
        HttpApiHandler::setStock),
    ADJUST_STOCK("POST", "/v1/stock/{sku}/{location}/adjustments", "adjust_stock", Operation.ADJUST_STOCK,
        Scope.STOCK_WRITE, HttpApiHandler::adjustStock),
    AVAILABILITY("GET", "/v1/availability/{sku}/{location}", "availability", Operation.AVAILABILITY, Scope.READ,
        HttpApiHandler::availability),
    SKU_AVAILABILITY("GET", "/v1/availability/{sku}", "sku_availability", Operation.SKU_AVAILABILITY, Scope.READ,
        HttpApiHandler::skuAvailability),
    RESERVE("POST", "/v1/reservations", "reserve", Operation.RESERVE, Scope.RESERVATIONS_WRITE,
        HttpApiHandler::reserve),
    GET_RESERVATION("GET", "/v1/reservations/{reservationId}", "get_reservation", Operation.GET_RESERVATION,
        Scope.READ, HttpApiHandler::getReservation),
    COMMIT("POST", "/v1/reservations/{reservationId}/commit", "commit", Operation.COMMIT, Scope.RESERVATIONS_WRITE,
        HttpApiHandler::commit),
    RELEASE("POST", "/v1/reservations/{reservationId}/release", "release", Operation.RELEASE,
        Scope.RESERVATIONS_WRITE, HttpApiHandler::release),
    RETURN("POST", "/v1/returns", "return", Operation.RETURN, Scope.STOCK_WRITE, HttpApiHandler::acceptReturn),
    /** Open unless the node closes it (then {@code read}); see {@link #publicUnlessClosed()}. */
    OPENAPI("GET", "/v1/openapi.yaml", "openapi", null, Scope.READ, HttpApiHandler::openApi),
    LIVE("GET", "/health/live", "live", null, null, HttpApiHandler::live),
    READY("GET", "/health/ready", "ready", null, null, HttpApiHandler::ready),
    /** Open unless the node closes it (then {@code read}). */
    METRICS("GET", "/metrics", "metrics", null, Scope.READ, HttpApiHandler::metrics),
    ADMIN_CLUSTER("GET", "/admin/cluster", "admin_cluster", null, Scope.ADMIN, HttpApiHandler::adminCluster),
    ADMIN_DRAIN("POST", "/admin/drain", "admin_drain", null, Scope.ADMIN, HttpApiHandler::adminDrain);

    /**
     * Answers one request of its route on the connection's {@link HttpApiHandler}, once the request is routed,
     * admitted (key, scope, rate) and its body read. It completes the request's slot, now or when the grid answers;
     * a {@link BadRequest} it throws is answered 400.
     */
    @FunctionalInterface
    interface Handler
    {
        void handle(HttpApiHandler door, HttpApiHandler.Call call) throws BadRequest;
    }

    private static final Route[] VALUES = values();

    private final String method;
    private final String template;
    private final String endpoint;
    private final Operation operation;
    private final Scope scope;
    private final Handler handler;
    private final String[] segments;

    Route(final String method, final String template, final String endpoint, final Operation operation,
        final Scope scope, final Handler handler)
    {
        this.scope = scope;
        this.handler = Objects.requireNonNull(handler, template);
        this.method = method;
        this.template = template;
        this.endpoint = endpoint;
        this.operation = operation;
        this.segments = template.substring(1).split("/");
    }

    public String method()
    {
        return method;
    }

    public String template()
    {
        return template;
    }

    public String endpoint()
    {
        return endpoint;
    }

    /** The inventory operation this route performs, or null for the operations routes (health, metrics, admin). */
    public Operation operation()
    {
        return operation;
    }

    /**
     * The scope a key needs for this route, or null for the health routes, which are always open (a load balancer
     * or kubelet probes them without a key).
     */
    public Scope scope()
    {
        return scope;
    }

    /** What answers this route's requests. */
    Handler handler()
    {
        return handler;
    }

    /** True for the routes that answer without a key unless the node is told to close them (metrics, OpenAPI). */
    public boolean publicUnlessClosed()
    {
        return this == METRICS || this == OPENAPI;
    }

    /** True for the routes that change inventory: their answers carry X-Correlation-Id and are request-logged. */
    public boolean mutating()
    {
        return operation != null && operation.mutating();
    }

    /** True for routes whose request carries a JSON body. */
    public boolean hasBody()
    {
        return this == SET_STOCK || this == ADJUST_STOCK || this == RESERVE || this == RETURN;
    }

    /**
     * Matches a decoded path's segments against this route's template; fills {@code params} (template order) and
     * returns true on a match.
     */
    boolean matches(final String[] pathSegments, final List<String> params)
    {
        if (pathSegments.length != segments.length)
        {
            return false;
        }
        params.clear();
        for (int i = 0; i < segments.length; i++)
        {
            final String t = segments[i];
            if (t.startsWith("{"))
            {
                if (pathSegments[i].isEmpty())
                {
                    return false;
                }
                params.add(pathSegments[i]);
            }
            else if (!t.equals(pathSegments[i]))
            {
                return false;
            }
        }
        return true;
    }

    /** The outcome of routing one request. */
    record Match(Route route, List<String> params, List<String> allowedMethods)
    {
    }

    /**
     * Finds the route for a method and path. A path that matches only with another method yields a match with a null
     * route and the allowed methods (405); no match at all yields null (404).
     */
    static Match find(final String method, final String[] pathSegments)
    {
        final List<String> params = new ArrayList<>(2);
        List<String> allowed = null;
        for (final Route route : VALUES)
        {
            if (route.matches(pathSegments, params))
            {
                if (route.method.equals(method))
                {
                    return new Match(route, List.copyOf(params), List.of());
                }
                if (allowed == null)
                {
                    allowed = new ArrayList<>(2);
                }
                allowed.add(route.method);
            }
        }
        return allowed == null ? null : new Match(null, List.of(), allowed);
    }
}
