package io.stockgrid.api;

import java.time.Instant;
import java.util.List;

/** A reservation as answered by the API. {@code shortLines} is empty unless the status is REJECTED. */
public record Reservation(String reservationId, ReservationStatus status, Instant expiresAt, List<ReservationLine> lines,
    List<ShortLine> shortLines)
{
}
