package io.stockgrid.api;

/** One line of a reservation: a quantity of one SKU at one location. */
public record ReservationLine(String sku, String location, long quantity)
{
}
