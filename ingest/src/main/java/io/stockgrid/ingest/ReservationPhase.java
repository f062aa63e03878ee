package io.stockgrid.ingest;

import io.stockgrid.api.ReservationStatus;

/**
 * The grid's life cycle of a reservation: the public statuses plus PENDING, the short window while its lines are
 * being held. A PENDING reservation is never shown to clients as such.
 */
public enum ReservationPhase
{
    PENDING(0, null),
    HELD(1, ReservationStatus.HELD),
    COMMITTED(2, ReservationStatus.COMMITTED),
    RELEASED(3, ReservationStatus.RELEASED),
    EXPIRED(4, ReservationStatus.EXPIRED),
    REJECTED(5, ReservationStatus.REJECTED);

    /** Phases by code, built once; null where no phase has that code. */
    private static final ReservationPhase[] BY_CODE = byCode();

    private final int code;
    private final ReservationStatus status;

    ReservationPhase(final int code, final ReservationStatus status)
    {
        this.code = code;
        this.status = status;
    }

    /**
     * The number this phase is journaled and sent between members as (one byte, 0..127). It is fixed here rather
     * than taken from {@link #ordinal()}, so adding or reordering constants cannot change what a journal already on
     * disk, or a member of the previous build, means by it. The codes are the ordinals they replaced; never reuse
     * one.
     */
    public int code()
    {
        return code;
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

    /** The phase with this {@link #code()}; an unknown code (a damaged record, a newer build) is refused. */
    public static ReservationPhase of(final int code)
    {
        final ReservationPhase phase = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (phase == null)
        {
            throw new IllegalArgumentException("unknown ReservationPhase code " + code);
        }
        return phase;
    }

    private static ReservationPhase[] byCode()
    {
        final ReservationPhase[] byCode = new ReservationPhase[Byte.MAX_VALUE + 1];
        for (final ReservationPhase p : values())
        {
            if (p.code < 0 || p.code > Byte.MAX_VALUE || byCode[p.code] != null)
            {
                throw new IllegalStateException("ReservationPhase code " + p.code + " of " + p + " is out of range"
                    + " or taken");
            }
            byCode[p.code] = p;
        }
        return byCode;
    }
}
