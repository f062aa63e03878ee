package io.stockgrid.ingest;

import io.stockgrid.api.Reservation;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ShortLine;

import java.time.Instant;
import java.util.List;

/**
 * A reservation as the grid holds it, in a form the ingest can journal and answer from.
 *
 * @param version      incremented by every transition; replay keeps the highest.
 * @param firstOutcome what the creating call answered (HELD or REJECTED), replayed to retries of that call.
 * @param fingerprint  digest of the creating request body, so a retry with a different body is refused.
 * @param retainUntilMs after this the reservation (and its idempotency memory) may be forgotten.
 * @param createdBy     the API key id of the call that created it; null when that call was not authenticated (no
 *                      keys configured) or the reservation predates keys.
 */
public record ReservationState(
    String reservationId,
    ReservationPhase phase,
    ReservationPhase firstOutcome,
    long version,
    long createdAtMs,
    long expiresAtMs,
    long retainUntilMs,
    String fingerprint,
    String correlationId,
    List<ReservationLine> lines,
    List<ShortLine> shortLines,
    String createdBy)
{
    /** Without a caller (a reservation made without authentication). */
    public ReservationState(final String reservationId, final ReservationPhase phase,
        final ReservationPhase firstOutcome, final long version, final long createdAtMs, final long expiresAtMs,
        final long retainUntilMs, final String fingerprint, final String correlationId,
        final List<ReservationLine> lines, final List<ShortLine> shortLines)
    {
        this(reservationId, phase, firstOutcome, version, createdAtMs, expiresAtMs, retainUntilMs, fingerprint,
            correlationId, lines, shortLines, null);
    }

    /** The reservation as GET answers it: its current status. */
    public Reservation current()
    {
        return new Reservation(reservationId, phase.status(), Instant.ofEpochMilli(expiresAtMs), lines, shortLines);
    }

    /** The reservation as the creating POST answered it, replayed to retries with the same body. */
    public Reservation asFirstAnswered()
    {
        final ReservationStatus status = firstOutcome == null || firstOutcome.status() == null ?
            ReservationStatus.HELD : firstOutcome.status();
        return new Reservation(reservationId, status, Instant.ofEpochMilli(expiresAtMs), lines, shortLines);
    }
}
