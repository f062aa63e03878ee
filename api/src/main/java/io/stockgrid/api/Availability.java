package io.stockgrid.api;

/**
 * The available-to-promise view of one (sku, location): {@code available = max(0, onHand - reserved - safetyStock)}.
 */
public record Availability(String sku, String location, long onHand, long safetyStock, long reserved, long available)
{
    public static long available(final long onHand, final long reserved, final long safetyStock)
    {
        return Math.max(0, onHand - reserved - safetyStock);
    }

    public static Availability of(final String sku, final String location, final long onHand, final long safetyStock,
        final long reserved)
    {
        return new Availability(sku, location, onHand, safetyStock, reserved, available(onHand, reserved, safetyStock));
    }

    public static Availability empty(final String sku, final String location)
    {
        return new Availability(sku, location, 0, 0, 0, 0);
    }
}
