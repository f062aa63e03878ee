package io.stockgrid.grid;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every IdentifiedDataSerializable the grid stores or sends between members survives Hazelcast serialisation with
 * all its fields, and the factory knows every class id. A field that is written but not read (or read out of order)
 * would silently change a record on its backup replica or after a migration.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GridSerializersTest
{
    private static final long NOW_MS = 1_700_000_000_000L;
    private static InternalSerializationService serialization;

    @BeforeAll
    static void startSerialization()
    {
        serialization = new DefaultSerializationServiceBuilder()
            .addDataSerializableFactory(GridSerializers.FACTORY_ID, new GridSerializers())
            .build();
    }

    @AfterAll
    static void stopSerialization()
    {
        serialization.dispose();
    }

    private static <T> T roundTrip(final T original)
    {
        final Data data = serialization.toData(original);
        final T copy = serialization.toObject(data);
        assertThat(copy).isNotSameAs(original).isExactlyInstanceOf(original.getClass());
        assertThat(serialization.toData(copy).toByteArray()).as("re-serialised form of " + original)
            .isEqualTo(data.toByteArray());
        return copy;
    }

    /** Compares every field, private ones included: a processor has no getters but must arrive whole. */
    private static <T> void assertRoundTripsWithAllFields(final T original)
    {
        assertThat(roundTrip(original)).usingRecursiveComparison().isEqualTo(original);
    }

    private static ReservationState reservation(final ReservationPhase phase, final ReservationPhase firstOutcome,
        final String correlationId)
    {
        return new ReservationState("res-1", phase, firstOutcome, 7, NOW_MS, NOW_MS + 60_000, NOW_MS + 3_660_000,
            "fp-abc", correlationId,
            List.of(new ReservationLine("S1", "L1", 2), new ReservationLine("S2", "L2", 5)),
            List.of(new ShortLine("S2", "L2", 5, 3)));
    }

    @Test
    void shouldRoundTripStockKey()
    {
        final StockKey copy = roundTrip(new StockKey("SKU-1", "LOC-9"));

        assertThat(copy).isEqualTo(new StockKey("SKU-1", "LOC-9"));
        assertThat(copy.getSku()).isEqualTo("SKU-1");
        assertThat(copy.getLocation()).isEqualTo("LOC-9");
        assertThat(copy.hashCode()).isEqualTo(new StockKey("SKU-1", "LOC-9").hashCode());
    }

    @Test
    void shouldRoundTripStockRecordWithHoldsAndSeenIds()
    {
        final StockRecord record = new StockRecord("SKU-1", "LOC-9");
        record.setOnHand(50);
        record.setSafetyStock(4);
        record.setVersion(17);
        record.addHold("r-late", 3, NOW_MS + 9_000, 0x1234_5678_9abc_def0L);
        record.addHold("r-early", 5, NOW_MS + 1_000, -7);
        record.remember("e-1", NOW_MS - 10, -2, 86_400_000);
        record.remember("ret-1", NOW_MS, 13, 86_400_000);

        final StockRecord copy = roundTrip(record);

        assertThat(copy.getSku()).isEqualTo("SKU-1");
        assertThat(copy.getLocation()).isEqualTo("LOC-9");
        assertThat(copy.onHand()).isEqualTo(50);
        assertThat(copy.safetyStock()).isEqualTo(4);
        assertThat(copy.version()).isEqualTo(17);
        assertThat(copy.reserved()).as("rebuilt from the holds").isEqualTo(8);
        assertThat(copy.getEarliestExpiryMs()).as("rebuilt from the holds").isEqualTo(NOW_MS + 1_000);
        assertThat(copy.available()).isEqualTo(38);
        assertThat(copy.holds()).as("holds travel in the order of their ids").containsExactly(
            Map.entry("r-early", new StockRecord.Hold(5, NOW_MS + 1_000, -7)),
            Map.entry("r-late", new StockRecord.Hold(3, NOW_MS + 9_000, 0x1234_5678_9abc_def0L)));
        assertThat(copy.seenRequests()).containsExactly(
            Map.entry("e-1", new StockRecord.Seen(NOW_MS - 10, -2)),
            Map.entry("ret-1", new StockRecord.Seen(NOW_MS, 13)));
        // The hold table's internal numbering depends on its history; what it holds is compared above.
        assertThat(copy).usingRecursiveComparison().ignoringFields("holds").isEqualTo(record);
        assertThat(copy.holds()).isEqualTo(record.holds());
    }

    @Test
    void shouldRoundTripEmptyStockRecord()
    {
        final StockRecord copy = roundTrip(new StockRecord("S", "L"));

        assertThat(copy.holds()).isEmpty();
        assertThat(copy.seenRequests()).isEmpty();
        assertThat(copy.reserved()).isZero();
        assertThat(copy.getEarliestExpiryMs()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldRoundTripReservationRecordInEveryPhase()
    {
        for (final ReservationPhase phase : ReservationPhase.values())
        {
            final ReservationPhase first = phase == ReservationPhase.PENDING ? null : ReservationPhase.HELD;
            final ReservationRecord record = new ReservationRecord(reservation(phase, first, "corr-1"));

            final ReservationRecord copy = roundTrip(record);

            assertThat(copy.state()).as(phase.name()).isEqualTo(record.state());
            assertThat(copy.getHeldUntilMs()).isEqualTo(record.getHeldUntilMs());
        }
    }

    @Test
    void shouldRoundTripReservationRecordWithItsCoordinatorAndAttempt()
    {
        final ReservationRecord record = new ReservationRecord(reservation(ReservationPhase.PENDING, null, "c-1"),
            "node-3", 0xfeed_beef_0123_4567L);

        final ReservationRecord copy = roundTrip(record);

        assertThat(copy).usingRecursiveComparison().isEqualTo(record);
        assertThat(copy.attempt()).isEqualTo(0xfeed_beef_0123_4567L);
        assertThat(copy.coordinator()).isEqualTo("node-3");
    }

    @Test
    void shouldRoundTripReservationRecordWithoutCorrelationIdOrFirstOutcome()
    {
        final ReservationRecord record = new ReservationRecord(reservation(ReservationPhase.EXPIRED, null, null));

        final ReservationRecord copy = roundTrip(record);

        assertThat(copy.state()).isEqualTo(record.state());
        assertThat(copy.state().firstOutcome()).isNull();
        assertThat(copy.state().correlationId()).isNull();
    }

    @Test
    void shouldRoundTripKeyResultOfEveryCode()
    {
        final StockRecord record = new StockRecord("S", "L");
        record.setOnHand(9);
        record.setSafetyStock(2);
        record.setVersion(4);
        record.addHold("r", 3, NOW_MS);
        for (final KeyResult.Code code : KeyResult.Code.values())
        {
            final KeyResult result = new KeyResult(code, code == KeyResult.Code.APPLIED, record, 6);

            final KeyResult copy = roundTrip(result);

            assertThat(copy.code()).isEqualTo(code);
            assertThat(copy.changed()).isEqualTo(code == KeyResult.Code.APPLIED);
            assertThat(copy.version()).isEqualTo(4);
            assertThat(copy.onHand()).isEqualTo(9);
            assertThat(copy.safetyStock()).isEqualTo(2);
            assertThat(copy.reserved()).isEqualTo(3);
            assertThat(copy.quantity()).isEqualTo(6);
        }
    }

    @Test
    void shouldRoundTripReservationResultWithAndWithoutState()
    {
        for (final ReservationResult.Code code : ReservationResult.Code.values())
        {
            final ReservationResult withState = new ReservationResult(code,
                reservation(ReservationPhase.HELD, ReservationPhase.HELD, "c"), 0x0bad_cafe_1234L);
            final ReservationResult withoutState = new ReservationResult(code, null);

            final ReservationResult copy = roundTrip(withState);
            final ReservationResult emptyCopy = roundTrip(withoutState);

            assertThat(copy.code()).isEqualTo(code);
            assertThat(copy.state()).isEqualTo(withState.state());
            assertThat(copy.attempt()).isEqualTo(0x0bad_cafe_1234L);
            assertThat(emptyCopy.code()).isEqualTo(code);
            assertThat(emptyCopy.state()).isNull();
        }
    }

    @Test
    void shouldRoundTripEveryStockProcessorWithAllFields()
    {
        assertRoundTripsWithAllFields(new StockProcessors.SetStock(123, 7));
        assertRoundTripsWithAllFields(new StockProcessors.SetStock(5, -1));
        assertRoundTripsWithAllFields(new StockProcessors.Adjust("e-1", -42, NOW_MS, 86_400_000));
        assertRoundTripsWithAllFields(new StockProcessors.Return("ret-1", 3, true, NOW_MS, 1_000));
        assertRoundTripsWithAllFields(new StockProcessors.Return("ret-2", 4, false, NOW_MS + 1, 2_000));
        assertRoundTripsWithAllFields(new StockProcessors.Hold("res-1", 9, NOW_MS + 60_000));
        assertRoundTripsWithAllFields(new StockProcessors.Hold("res-1", 9, NOW_MS + 60_000, -42));
        assertRoundTripsWithAllFields(new StockProcessors.ReleaseHold("res-1"));
        assertRoundTripsWithAllFields(StockProcessors.ReleaseHold.ofAttempt("res-1", KeyEffect.Kind.EXPIRE, 99));
        assertRoundTripsWithAllFields(StockProcessors.ReleaseHold.ifOverdue("res-1", KeyEffect.Kind.RELEASE,
            NOW_MS));
        assertRoundTripsWithAllFields(new StockProcessors.CommitHold("res-2"));
        assertRoundTripsWithAllFields(new StockProcessors.ExpiredHoldsScan(NOW_MS - 2_000));
        assertRoundTripsWithAllFields(new StockProcessors.View());
    }

    @Test
    void shouldRoundTripEveryReservationProcessorWithAllFields()
    {
        assertRoundTripsWithAllFields(new ReservationProcessors.Begin(
            reservation(ReservationPhase.PENDING, null, "corr-1"), NOW_MS));
        assertRoundTripsWithAllFields(new ReservationProcessors.Begin(
            reservation(ReservationPhase.PENDING, null, null), NOW_MS + 5));
        assertRoundTripsWithAllFields(new ReservationProcessors.Begin(
            reservation(ReservationPhase.PENDING, null, "c"), NOW_MS + 6, "node-7", 0x7777_0000_1111L));
        assertRoundTripsWithAllFields(new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), NOW_MS));
        assertRoundTripsWithAllFields(new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), NOW_MS,
            -3));
        assertRoundTripsWithAllFields(new ReservationProcessors.Finish(ReservationPhase.REJECTED,
            List.of(new ShortLine("S1", "L1", 4, 1), new ShortLine("S2", "L1", 2, 0)), NOW_MS + 1));
        assertRoundTripsWithAllFields(new ReservationProcessors.Settle(ReservationPhase.COMMITTED, NOW_MS));
        assertRoundTripsWithAllFields(new ReservationProcessors.Settle(ReservationPhase.RELEASED, NOW_MS + 2));
        assertRoundTripsWithAllFields(new ReservationProcessors.Expire(NOW_MS + 3));
        assertRoundTripsWithAllFields(new ReservationProcessors.Abandon());
        assertRoundTripsWithAllFields(new ReservationProcessors.Abandon(Long.MIN_VALUE));
    }

    @Test
    void shouldBehaveTheSameAfterRoundTrip()
    {
        final StockRecord original = new StockRecord("S", "L");
        original.setOnHand(10);
        final StockRecord copyTarget = roundTrip(original);
        final StockProcessors.Adjust adjust = new StockProcessors.Adjust("e-1", -3, NOW_MS, 1_000);

        final KeyResult direct = adjust.process(new AbstractMap.SimpleEntry<>(new StockKey("S", "L"),
            original));
        final KeyResult shipped = roundTrip(adjust).process(new AbstractMap.SimpleEntry<>(
            new StockKey("S", "L"), copyTarget));

        assertThat(shipped).usingRecursiveComparison().isEqualTo(direct);
        assertThat(copyTarget).usingRecursiveComparison().ignoringFields("holds").isEqualTo(original);
        assertThat(copyTarget.holds()).isEqualTo(original.holds());
    }

    @Test
    void shouldCreateEveryClassIdWithMatchingIds() throws IllegalAccessException
    {
        final GridSerializers factory = new GridSerializers();
        final Set<Integer> ids = new HashSet<>();
        final Map<Integer, Class<?>> created = new LinkedHashMap<>();
        for (final Field field : GridSerializers.class.getDeclaredFields())
        {
            final int modifiers = field.getModifiers();
            if (field.getType() != int.class || !Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers)
                || field.getName().equals("FACTORY_ID"))
            {
                continue;
            }
            final int classId = field.getInt(null);
            assertThat(ids.add(classId)).as("class id %d of %s is unique", classId, field.getName()).isTrue();
            final IdentifiedDataSerializable instance = factory.create(classId);
            assertThat(instance).as("factory creates class id %d (%s)", classId, field.getName()).isNotNull();
            assertThat(instance.getClassId()).as(field.getName()).isEqualTo(classId);
            assertThat(instance.getFactoryId()).as(field.getName()).isEqualTo(GridSerializers.FACTORY_ID);
            created.put(classId, instance.getClass());
        }

        final List<Class<?>> expected = new ArrayList<>(List.of(StockKey.class, StockRecord.class,
            ReservationRecord.class, KeyResult.class, ReservationResult.class, BackupProcessor.class,
            StoreApplyOperation.class,
            StoreBackupOperation.class, StoreQueryOperation.class, StoreReplicationOperation.class,
            StoreDigestOperation.class));
        expected.addAll(List.of(StoreTable.class.getDeclaredClasses()));
        expected.addAll(List.of(StockProcessors.class.getDeclaredClasses()));
        expected.addAll(List.of(ReservationProcessors.class.getDeclaredClasses()));
        expected.addAll(List.of(Locations.class.getDeclaredClasses()));
        expected.addAll(List.of(RecordSnapshots.class.getDeclaredClasses()));
        expected.removeIf(c -> Modifier.isAbstract(c.getModifiers()) || !IdentifiedDataSerializable.class
            .isAssignableFrom(c));
        assertThat(created.values()).as("one class id per serialisable class").containsExactlyInAnyOrderElementsOf(
            expected);
        assertThat(factory.create(0)).isNull();
        assertThat(factory.create(999)).isNull();
    }

    @Test
    void shouldCarryEachCommandsBackupAcrossMembersAndApplyTheSameChanges()
    {
        final StockKey key = new StockKey("S", "L");
        final java.util.List<JournaledProcessor<StockKey, StockRecord, KeyResult>> commands = java.util.List.of(
            new StockProcessors.SetStock(5, 0), new StockProcessors.Hold("r1", 2, 99),
            new StockProcessors.Hold("r2", 4, 99), new StockProcessors.ReleaseHold("r1",
                io.stockgrid.ingest.KeyEffect.Kind.EXPIRE));
        final java.util.Map.Entry<StockKey, StockRecord> primary = new java.util.AbstractMap.SimpleEntry<>(key, null);
        final java.util.Map.Entry<StockKey, StockRecord> backup = new java.util.AbstractMap.SimpleEntry<>(key, null);
        final java.util.List<KeyResult> results = new ArrayList<>();
        for (final JournaledProcessor<StockKey, StockRecord, KeyResult> command : commands)
        {
            results.add(roundTrip(command).process(primary));
            // What StoreBackupOperation carries to the backup replica, after the primary ran the command.
            roundTrip(command.getBackupProcessor()).process(backup);
        }
        assertThat(results).extracting(KeyResult::code).containsExactly(KeyResult.Code.APPLIED,
            KeyResult.Code.APPLIED, KeyResult.Code.SHORT, KeyResult.Code.APPLIED);
        assertThat(results.get(2).quantity()).as("available when r2 was tried").isEqualTo(3);
        assertThat(backup.getValue().version()).isEqualTo(primary.getValue().version()).isEqualTo(3);
        assertThat(backup.getValue().reserved()).isEqualTo(primary.getValue().reserved()).isZero();
    }
}
