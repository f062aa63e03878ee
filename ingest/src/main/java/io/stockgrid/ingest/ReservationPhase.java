package io.stockgrid.ingest;

import io.stockgrid.api.ReservationStatus;

/**
 * The grid's life cycle of a reservation: the public statuses plus PENDING, the short window while its lines are
 * being held. A PENDING reservation is never shown to clients as such.
 */
public enum ReservationPhase
{
    PENDING(null),
    HELD(ReservationStatus.HELD),
    COMMITTED(ReservationStatus.COMMITTED),
    RELEASED(ReservationStatus.RELEASED),
    EXPIRED(ReservationStatus.EXPIRED),
    REJECTED(ReservationStatus.REJECTED);

    private static final ReservationPhase[] VALUES = values();
    private final ReservationStatus status;

    ReservationPhase(final ReservationStatus status)
    {
        this.status = status;
    }

    public ReservationStatus status()
    {
        return status;
    }

    /** True while the reservation's lines hold (or may hold) stock. */
    public boolean holdsStock()
    {
        return this == PENDING || this == HELD;
    }

    public static ReservationPhase of(final int ordinal)
    {
        return VALUES[ordinal];
    }
}
