package io.stockgrid.ingest;

/** A (sku, location) pair as the ingest sees it; the grid has its own serialisable key. */
public record StockKeyRef(String sku, String location)
{
    @Override
    public String toString()
    {
        return sku + '@' + location;
    }
}
