package io.stockgrid.grid;

import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

/**
 * Fixed factory and class ids of everything the grid stores or sends between members. Never reuse an id, and bump
 * {@link WireFormat#VERSION} whenever a class here changes what it writes (members of different formats refuse each
 * other).
 */
public final class GridSerializers implements DataSerializableFactory
{
    public static final int FACTORY_ID = 7301;

    static final int STOCK_KEY = 1;
    static final int STOCK_RECORD = 2;
    static final int RESERVATION_RECORD = 3;
    static final int KEY_RESULT = 4;
    static final int RESERVATION_RESULT = 5;
    static final int LOCATION_SET = 6;
    static final int SET_STOCK = 10;
    static final int ADJUST = 11;
    static final int RETURN = 12;
    static final int HOLD = 13;
    static final int RELEASE_HOLD = 14;
    static final int COMMIT_HOLD = 15;
    static final int EXPIRED_HOLDS_SCAN = 16;
    static final int VIEW = 17;
    static final int BEGIN_RESERVATION = 20;
    static final int FINISH_RESERVATION = 21;
    static final int SETTLE_RESERVATION = 22;
    static final int EXPIRE_RESERVATION = 23;
    static final int ABANDON_RESERVATION = 24;
    static final int ADD_LOCATION = 25;
    static final int RESTORE_STOCK = 26;
    static final int RESTORE_RESERVATION = 27;
    static final int SNAPSHOT_STOCK = 28;
    static final int SNAPSHOT_RESERVATION = 29;
    static final int BACKUP = 30;
    // 31 and 32 were the IMap engine's batch processor and multi-key operation (removed in session 8): not reused.
    static final int STORE_APPLY = 40;
    static final int STORE_BACKUP = 41;
    static final int STORE_QUERY = 42;
    static final int STORE_REPLICATION = 43;
    static final int STORE_REMOVE = 44;
    static final int STORE_DIGEST = 45;

    @Override
    public IdentifiedDataSerializable create(final int typeId)
    {
        return switch (typeId)
        {
            case STOCK_KEY -> new StockKey();
            case STOCK_RECORD -> new StockRecord();
            case RESERVATION_RECORD -> new ReservationRecord();
            case KEY_RESULT -> new KeyResult();
            case RESERVATION_RESULT -> new ReservationResult();
            case LOCATION_SET -> new Locations.Set();
            case SET_STOCK -> new StockProcessors.SetStock();
            case ADJUST -> new StockProcessors.Adjust();
            case RETURN -> new StockProcessors.Return();
            case HOLD -> new StockProcessors.Hold();
            case RELEASE_HOLD -> new StockProcessors.ReleaseHold();
            case COMMIT_HOLD -> new StockProcessors.CommitHold();
            case EXPIRED_HOLDS_SCAN -> new StockProcessors.ExpiredHoldsScan();
            case VIEW -> new StockProcessors.View();
            case BEGIN_RESERVATION -> new ReservationProcessors.Begin();
            case FINISH_RESERVATION -> new ReservationProcessors.Finish();
            case SETTLE_RESERVATION -> new ReservationProcessors.Settle();
            case EXPIRE_RESERVATION -> new ReservationProcessors.Expire();
            case ABANDON_RESERVATION -> new ReservationProcessors.Abandon();
            case ADD_LOCATION -> new Locations.Add();
            case RESTORE_STOCK -> new RecordSnapshots.RestoreStock();
            case RESTORE_RESERVATION -> new RecordSnapshots.RestoreReservation();
            case SNAPSHOT_STOCK -> new RecordSnapshots.SnapshotStock();
            case SNAPSHOT_RESERVATION -> new RecordSnapshots.SnapshotReservation();
            case BACKUP -> new BackupProcessor<>();
            case STORE_APPLY -> new StoreApplyOperation();
            case STORE_BACKUP -> new StoreBackupOperation();
            case STORE_QUERY -> new StoreQueryOperation();
            case STORE_REPLICATION -> new StoreReplicationOperation();
            case STORE_REMOVE -> new StoreTable.Remove();
            case STORE_DIGEST -> new StoreDigestOperation();
            default -> null;
        };
    }
}
