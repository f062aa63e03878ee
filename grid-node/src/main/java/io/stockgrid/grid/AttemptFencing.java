package io.stockgrid.grid;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.KeyEffect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Giving up on one attempt of a reservation, fenced by the attempt: a failed call's compensation, the sweep
 * forgetting a departed member's stuck call, a restart's reconcile. Every give-up is two halves in this order: forget
 * the attempt's PENDING record ({@link #forgetAttempt}), then return the attempt's holds ({@link #returnAttemptHolds}).
 * Holds whose return is refused after the record was forgotten are owed and returned by later sweeps
 * ({@link #returnOwedHolds}), at most {@link #MAX_OWED_HOLDS} of them.
 */
final class AttemptFencing
{
    /** Forgotten attempts whose holds are waiting to be returned again, at most (each a few hundred bytes). */
    static final int MAX_OWED_HOLDS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(AttemptFencing.class);

    private final GridTable<StockKey, StockRecord> stock;
    private final GridTable<String, ReservationRecord> reservations;
    /** See {@link #owe}; guarded by itself. */
    private final ArrayDeque<OwedHolds> owedHolds = new ArrayDeque<>();

    AttemptFencing(final GridTable<StockKey, StockRecord> stock,
        final GridTable<String, ReservationRecord> reservations)
    {
        this.stock = stock;
        this.reservations = reservations;
    }

    /** What {@link #forgetAttempt} found. */
    enum GiveUp
    {
        /** The attempt's PENDING record was forgotten here: whoever did so returns the attempt's holds. */
        FORGOTTEN,
        /** The record is the attempt's own and past PENDING: its outcome is recorded and its holds are its units. */
        DECIDED,
        /** No record, or another attempt's: someone else forgot this attempt (and a retry may have begun). */
        NOT_OURS
    }

    /**
     * The first half of giving up on one attempt of a reservation: forget its record if it is still the attempt's
     * PENDING one. The second half, {@link #returnAttemptHolds}, must come after, never before: the attempt's call
     * may still be running (its member only cut off), and returning the holds first would let that call's Finish
     * record HELD with nothing held. Once the record is gone that Finish finds nothing, and a retry that begins at
     * once finds this attempt's holds (CONFLICT) and is told to try again until they are returned. Both halves are
     * fenced by the attempt, because whoever gives up acts on a view read earlier: the record may since have been
     * forgotten by someone else and a retry begun afresh, whose record and holds must stay. A hold the attempt places
     * after its record was forgotten is returned by the leftover scan.
     */
    static GiveUp forgetAttempt(final GridTable<String, ReservationRecord> reservations, final String id,
        final long attempt)
    {
        if (reservations.executeOnKey(id, new ReservationProcessors.Abandon(attempt)).code()
            == ReservationResult.Code.TRANSITIONED)
        {
            return GiveUp.FORGOTTEN;
        }
        final ReservationRecord current = reservations.get(id);
        return current != null && current.attempt() == attempt ? GiveUp.DECIDED : GiveUp.NOT_OURS;
    }

    /** The second half of giving up on an attempt: returns that attempt's holds on {@code lines}, and only its own. */
    static void returnAttemptHolds(final GridTable<StockKey, StockRecord> stock, final String id, final long attempt,
        final List<ReservationLine> lines, final long nowMs, final List<KeyEffect> effects)
    {
        applyToLines(stock, id, lines,
            reservationId -> StockProcessors.ReleaseHold.ofAttempt(reservationId, KeyEffect.Kind.RELEASE, attempt),
            KeyEffect.Kind.RELEASE, nowMs, effects);
    }

    /** Runs one hold-ending processor on every line of a reservation in parallel; records what changed. */
    static void applyToLines(final GridTable<StockKey, StockRecord> stock, final String id,
        final List<ReservationLine> lines, final Function<String, StockProcessors.Base> processor,
        final KeyEffect.Kind kind, final long nowMs, final List<KeyEffect> effects)
    {
        final List<CompletableFuture<KeyResult>> futures = new ArrayList<>(lines.size());
        for (final ReservationLine line : lines)
        {
            futures.add(stock.submitToKey(new StockKey(line.sku(), line.location()), processor.apply(id))
                .toCompletableFuture());
        }
        for (int i = 0; i < lines.size(); i++)
        {
            final KeyResult r = futures.get(i).join();
            if (r.changed())
            {
                final ReservationLine line = lines.get(i);
                effects.add(r.effect(line.sku(), line.location(), kind, id, r.quantity(), 0, nowMs));
            }
        }
    }

    /**
     * Forgets a PENDING reservation, then returns its holds; true if it was forgotten here. {@code pending} was read
     * earlier and may be stale, so both steps are fenced by its attempt (see {@link #forgetAttempt}). If the holds'
     * return fails after the record was forgotten, they are owed (returned by later sweeps) and the failure thrown.
     */
    boolean forgetThenReturnHolds(final ReservationRecord pending, final long nowMs, final List<KeyEffect> effects)
    {
        final String id = pending.state().reservationId();
        final long attempt = pending.attempt();
        if (forgetAttempt(reservations, id, attempt) != GiveUp.FORGOTTEN)
        {
            return false;
        }
        try
        {
            returnAttemptHolds(stock, id, attempt, pending.state().lines(), nowMs, effects);
        }
        catch (final RuntimeException ex)
        {
            // The record is gone, so no later scan finds this attempt again: remember its holds and return them at
            // the next sweeps (right after a member leaves, a stock partition refuses changes until its backup is
            // re-created). Fenced by the attempt, so returning them late never takes a retry's holds.
            owe(new OwedHolds(id, attempt, pending.state().lines()));
            throw ex;
        }
        return true;
    }

    /** Holds of a forgotten attempt whose return failed; returned again at each sweep until it succeeds. */
    private record OwedHolds(String reservationId, long attempt, List<ReservationLine> lines)
    {
    }

    private void owe(final OwedHolds owed)
    {
        synchronized (owedHolds)
        {
            if (owedHolds.size() >= MAX_OWED_HOLDS)
            {
                LOG.warn("sweep: {} forgotten reservations' holds are already waiting to be returned; the holds of {} "
                    + "wait for the leftover scan at their expiry", owedHolds.size(), owed.reservationId());
                return;
            }
            owedHolds.addLast(owed);
        }
    }

    /** Returns the holds owed by earlier give-ups, oldest first; stops at the first that is refused again. */
    void returnOwedHolds(final long nowMs, final List<KeyEffect> effects)
    {
        while (true)
        {
            final OwedHolds owed;
            synchronized (owedHolds)
            {
                owed = owedHolds.peekFirst();
            }
            if (owed == null)
            {
                return;
            }
            try
            {
                returnAttemptHolds(stock, owed.reservationId(), owed.attempt(), owed.lines(), nowMs, effects);
            }
            catch (final RuntimeException stillRefused)
            {
                return; // kept for the next sweep; the rest of this one goes on
            }
            synchronized (owedHolds)
            {
                owedHolds.pollFirst();
            }
            LOG.warn("sweep: the holds of forgotten reservation {} (attempt {}), whose return had been refused, are "
                + "returned", owed.reservationId(), owed.attempt());
        }
    }
}
