package io.stockgrid.grid;

/**
 * A command that creates a record when its key is absent (a reservation's Begin). On a table at its
 * {@link StoreTable#capacity} it is not run: the operation answers {@link #refusedAtCapacity()} for it and sends no
 * backup of it, so primary and backup stay alike whatever their sizes.
 */
interface CreatesRecord
{
    /** The result the command answers when its table is full; nothing was changed. */
    Object refusedAtCapacity();
}
