package io.stockgrid.bench.load;

/** How requests spread over the SKU-locations. */
enum Skew
{
    /** Every SKU-location equally likely. */
    UNIFORM,
    /** Zipf over the SKU-locations by rank (key 0 the hottest), with the configured exponent. */
    ZIPF,
    /** Every request on the first SKU-location: the one-hot-item flash sale. */
    HOT
}
