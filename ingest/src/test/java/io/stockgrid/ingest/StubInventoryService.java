package io.stockgrid.ingest;

import io.stockgrid.api.Availability;
import io.stockgrid.api.SkuAvailability;

import java.util.concurrent.CompletableFuture;

/**
 * A grid for pipeline and door tests: ready, with a quorum, an empty sweep, and every other call unsupported until a
 * test overrides the ones it needs.
 */
public abstract class StubInventoryService implements InventoryService
{
    @Override
    public boolean isReady()
    {
        return true;
    }

    @Override
    public CompletableFuture<StockOutcome> setStock(final Commands.SetStock command, final long nowMs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<StockOutcome> adjust(final Commands.Adjust command, final long nowMs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<StockOutcome> acceptReturn(final Commands.Return command, final long nowMs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ReservationOutcome> reserve(final Commands.Reserve command, final long nowMs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ReservationOutcome> settle(final Commands.Settle command, final long nowMs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SweepOutcome> expireDue(final long nowMs, final int maxReservations)
    {
        return CompletableFuture.completedFuture(SweepOutcome.EMPTY);
    }

    @Override
    public CompletableFuture<Availability> availability(final String sku, final String location)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<SkuAvailability> availability(final String sku)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<ReservationState> reservation(final String reservationId)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public void restore(final RecoveredState state)
    {
    }

    @Override
    public void close()
    {
    }
}
