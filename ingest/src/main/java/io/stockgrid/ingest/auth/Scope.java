package io.stockgrid.ingest.auth;

/**
 * What an API key may do. Each HTTP route and binary message needs exactly one scope (health needs none); a key holds
 * a set of them. The names are the keys file's and the 403 message's words.
 */
public enum Scope
{
    /** Set stock, adjustments, returns: the ERP/WMS feed. */
    STOCK_WRITE("stock:write"),
    /** Reserve, commit, release: the order platform. */
    RESERVATIONS_WRITE("reservations:write"),
    /** Availability and reservation reads (and /metrics, /v1/openapi.yaml when they are closed). */
    READ("read"),
    /** The /admin routes: the cluster view and drain. */
    ADMIN("admin");

    private static final Scope[] VALUES = values();

    private final String label;

    Scope(final String label)
    {
        this.label = label;
    }

    /** The scope's name in the keys file and in messages, e.g. {@code stock:write}. */
    public String label()
    {
        return label;
    }

    /** The scope named {@code label}, or null if there is none. */
    public static Scope ofLabel(final String label)
    {
        for (final Scope s : VALUES)
        {
            if (s.label.equals(label))
            {
                return s;
            }
        }
        return null;
    }
}
