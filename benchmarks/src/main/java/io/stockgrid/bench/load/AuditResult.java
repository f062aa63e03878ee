package io.stockgrid.bench.load;

/**
 * The store checked from outside after a run. Per SKU-location, the units taken (held + committed) are read from the
 * store ({@code reserved + initial - onHand}) and worked out from the answers the generator got; oversold units are
 * what either view puts above the initial stock. Every reservation answered "held" must be found, in a status that
 * agrees with the answers given for it.
 *
 * @param keysUncertain  SKU-locations touched by a request with no definite answer (an error or none): store and
 *                       answers may differ there without anything being wrong.
 * @param keysDiffering  SKU-locations with no uncertainty where the store's held or committed units differ from the
 *                       answers (expired holds do this when the TTL is shorter than the run).
 */
record AuditResult(
    int keys,
    int keysUnreadable,
    long initialUnits,
    long storeHeldUnits,
    long storeCommittedUnits,
    long answeredHeldUnits,
    long answeredCommittedUnits,
    long oversoldUnits,
    int keysOversold,
    int keysUncertain,
    int keysDiffering,
    long acceptedReservations,
    long reservationsPresent,
    long reservationsMissing,
    long reservationsWrongStatus,
    long reservationsUnreadable)
{
    /** No unit oversold, and every reservation answered "held" present, readable, and in an agreeing status. */
    boolean passed()
    {
        return oversoldUnits == 0 && keysUnreadable == 0 && reservationsMissing == 0 && reservationsWrongStatus == 0
            && reservationsUnreadable == 0;
    }

    boolean everyAcceptedPresent()
    {
        return reservationsPresent == acceptedReservations;
    }
}
