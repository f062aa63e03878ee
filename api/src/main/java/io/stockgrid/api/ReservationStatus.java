package io.stockgrid.api;

/** The public life cycle of a reservation. HELD is the only state that holds stock; the others are final. */
public enum ReservationStatus
{
    HELD,
    COMMITTED,
    RELEASED,
    EXPIRED,
    REJECTED
}
