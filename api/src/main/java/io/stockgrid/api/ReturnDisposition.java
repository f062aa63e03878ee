package io.stockgrid.api;

/** What happens to returned units: RESTOCK adds them to onHand, DAMAGED only records the return. */
public enum ReturnDisposition
{
    RESTOCK,
    DAMAGED
}
