package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import io.stockgrid.api.SkuAvailability;

import java.util.concurrent.CompletableFuture;

/**
 * The one narrow seam between the front doors and the grid. Every mutating call is idempotent by its request id
 * inside the grid, so the ingest may retry it; every call takes the time the ingest accepted it, so outcomes do not
 * depend on which thread or member runs them. Futures complete on the service's own threads, never on a caller's.
 */
public interface InventoryService extends AutoCloseable
{
    CompletableFuture<StockOutcome> setStock(Commands.SetStock command, long nowMs);

    CompletableFuture<StockOutcome> adjust(Commands.Adjust command, long nowMs);

    CompletableFuture<StockOutcome> acceptReturn(Commands.Return command, long nowMs);

    CompletableFuture<ReservationOutcome> reserve(Commands.Reserve command, long nowMs);

    CompletableFuture<ReservationOutcome> settle(Commands.Settle command, long nowMs);

    /**
     * Expire HELD reservations whose time is up (at most {@code maxReservations} of them), and finish any hold left
     * behind by a commit, release or expiry that stopped half-way. Idempotent: running it twice changes nothing more.
     */
    CompletableFuture<SweepOutcome> expireDue(long nowMs, int maxReservations);

    CompletableFuture<Availability> availability(String sku, String location);

    CompletableFuture<SkuAvailability> availability(String sku);

    /** The reservation, or null when there is none (or it is no longer remembered). */
    CompletableFuture<ReservationState> reservation(String reservationId);

    /** Load journal-rebuilt state into an empty grid. Called once, before any traffic. */
    void restore(RecoveredState state);

    /** True while the grid can take traffic. */
    boolean isReady();

    /**
     * True while mutations may be made: the member sees at least the configured minimum number of members. Reads
     * answer either way.
     */
    default boolean hasQuorum()
    {
        return true;
    }

    @Override
    void close();
}
