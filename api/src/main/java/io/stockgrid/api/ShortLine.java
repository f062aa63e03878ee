package io.stockgrid.api;

/** A line that could not be held, with the availability seen when it was tried. */
public record ShortLine(String sku, String location, long quantity, long available)
{
}
