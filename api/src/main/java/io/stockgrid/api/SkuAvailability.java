package io.stockgrid.api;

import java.util.List;

/** Availability of one SKU summed over every location that has a record for it. */
public record SkuAvailability(String sku, long available, List<Availability> locations)
{
}
