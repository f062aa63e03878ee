package io.stockgrid.ingest;

/**
 * What the grid writes to the journal: the port between the grid (module {@code grid-node}) and the journal. The grid
 * reaches the journal only through this interface, never through {@link Journal} or {@link JournalCodec}, so how
 * records are laid out and appended can change without the grid knowing. Every method is called on the partition
 * thread of the record it journals (snapshots: on the thread that runs them), as the grid makes the change.
 */
public interface GridJournal
{
    /** One change the grid made to one (sku, location) record. */
    void appendEffect(KeyEffect effect);

    /** A reservation record's new state, or its removal. */
    void appendReservation(ReservationState state, boolean removed);

    /**
     * A whole (sku, location) record: the first change this member makes to a record it gained (by migration,
     * promotion or restore), and every record it owns during a snapshot.
     */
    void appendKeySnapshot(RecoveredState.Key key);

    /** Marks the beginning of a snapshot; returns the journal index it starts at. */
    long appendSnapshotBegin();

    /** Marks the end of a snapshot of {@code records} records. */
    void appendSnapshotEnd(long records);
}
