package io.stockgrid.ingest;

import io.stockgrid.api.Availability;

import java.util.List;

/** The result of a stock mutation (set, adjust, return) and what it did to the record. */
public record StockOutcome(Code code, Availability availability, List<KeyEffect> effects)
{
    public enum Code
    {
        APPLIED,
        /** The eventId or returnId was seen before: nothing changed. */
        DUPLICATE,
        /** The delta would take onHand below zero: nothing changed. */
        NEGATIVE_STOCK,
        /** The change would take onHand above the contract's maximum: nothing changed. */
        STOCK_LIMIT,
        /** The eventId or returnId was seen before with a different request: nothing changed. */
        FINGERPRINT_MISMATCH
    }
}
