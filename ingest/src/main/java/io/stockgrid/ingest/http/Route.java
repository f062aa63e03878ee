package io.stockgrid.ingest.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Every route the HTTP door serves. The OpenAPI document in the api module must list exactly these (a test checks
 * it), and the metric label of a request is its route's {@link #endpoint()}.
 */
public enum Route
{
    SET_STOCK("PUT", "/v1/stock/{sku}/{location}", "set_stock"),
    ADJUST_STOCK("POST", "/v1/stock/{sku}/{location}/adjustments", "adjust_stock"),
    AVAILABILITY("GET", "/v1/availability/{sku}/{location}", "availability"),
    SKU_AVAILABILITY("GET", "/v1/availability/{sku}", "sku_availability"),
    RESERVE("POST", "/v1/reservations", "reserve"),
    GET_RESERVATION("GET", "/v1/reservations/{reservationId}", "get_reservation"),
    COMMIT("POST", "/v1/reservations/{reservationId}/commit", "commit"),
    RELEASE("POST", "/v1/reservations/{reservationId}/release", "release"),
    RETURN("POST", "/v1/returns", "return"),
    OPENAPI("GET", "/v1/openapi.yaml", "openapi"),
    LIVE("GET", "/health/live", "live"),
    READY("GET", "/health/ready", "ready"),
    METRICS("GET", "/metrics", "metrics");

    private static final Route[] VALUES = values();

    private final String method;
    private final String template;
    private final String endpoint;
    private final String[] segments;

    Route(final String method, final String template, final String endpoint)
    {
        this.method = method;
        this.template = template;
        this.endpoint = endpoint;
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
