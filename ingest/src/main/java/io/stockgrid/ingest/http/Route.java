package io.stockgrid.ingest.http;

import io.stockgrid.ingest.Operation;
import io.stockgrid.ingest.auth.Scope;

import java.util.ArrayList;
import java.util.List;

/**
 * Every route the HTTP door serves. The OpenAPI document in the api module must list exactly these (a test checks
 * it), and the metric label of a request is its route's {@link #endpoint()}.
 */
public enum Route
{
    SET_STOCK("PUT", "/v1/stock/{sku}/{location}", "set_stock", Operation.SET_STOCK, Scope.STOCK_WRITE),
    ADJUST_STOCK("POST", "/v1/stock/{sku}/{location}/adjustments", "adjust_stock", Operation.ADJUST_STOCK,
        Scope.STOCK_WRITE),
    AVAILABILITY("GET", "/v1/availability/{sku}/{location}", "availability", Operation.AVAILABILITY, Scope.READ),
    SKU_AVAILABILITY("GET", "/v1/availability/{sku}", "sku_availability", Operation.SKU_AVAILABILITY, Scope.READ),
    RESERVE("POST", "/v1/reservations", "reserve", Operation.RESERVE, Scope.RESERVATIONS_WRITE),
    GET_RESERVATION("GET", "/v1/reservations/{reservationId}", "get_reservation", Operation.GET_RESERVATION,
        Scope.READ),
    COMMIT("POST", "/v1/reservations/{reservationId}/commit", "commit", Operation.COMMIT, Scope.RESERVATIONS_WRITE),
    RELEASE("POST", "/v1/reservations/{reservationId}/release", "release", Operation.RELEASE,
        Scope.RESERVATIONS_WRITE),
    RETURN("POST", "/v1/returns", "return", Operation.RETURN, Scope.STOCK_WRITE),
    /** Open unless the node closes it (then {@code read}); see {@link #publicUnlessClosed()}. */
    OPENAPI("GET", "/v1/openapi.yaml", "openapi", null, Scope.READ),
    LIVE("GET", "/health/live", "live", null, null),
    READY("GET", "/health/ready", "ready", null, null),
    /** Open unless the node closes it (then {@code read}). */
    METRICS("GET", "/metrics", "metrics", null, Scope.READ),
    ADMIN_CLUSTER("GET", "/admin/cluster", "admin_cluster", null, Scope.ADMIN),
    ADMIN_DRAIN("POST", "/admin/drain", "admin_drain", null, Scope.ADMIN);

    private static final Route[] VALUES = values();

    private final String method;
    private final String template;
    private final String endpoint;
    private final Operation operation;
    private final Scope scope;
    private final String[] segments;

    Route(final String method, final String template, final String endpoint, final Operation operation,
        final Scope scope)
    {
        this.scope = scope;
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
