package io.stockgrid.ingest;

import java.util.List;

/** The result of a reservation call and what it did to the stock records. */
public record ReservationOutcome(Code code, ReservationState state, List<KeyEffect> effects)
{
    public enum Code
    {
        /** Every line held: the reservation is HELD. */
        HELD,
        /** A line was short: nothing is held, the reservation is REJECTED. */
        REJECTED,
        /** The id was seen before with the same body: the first answer, replayed. */
        REPLAYED,
        /** The id is being reserved by another call right now. */
        IN_PROGRESS,
        /** The id was seen before with a different body. */
        FINGERPRINT_MISMATCH,
        NOT_FOUND,
        /** Commit/release of a reservation that no longer holds stock; state says why. */
        NOT_HELD,
        /** Commit/release applied, or repeated with no second effect. */
        SETTLED,
        /**
         * The grid failed part-way (a member lost, a timeout). What was done is in the effects (for a reservation:
         * its lines held and then released again); the caller may retry with the same id.
         */
        FAILED
    }

    public static ReservationOutcome of(final Code code, final ReservationState state)
    {
        return new ReservationOutcome(code, state, List.of());
    }
}
