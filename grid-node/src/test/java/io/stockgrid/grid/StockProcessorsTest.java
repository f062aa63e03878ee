package io.stockgrid.grid;

import io.stockgrid.api.Limits;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.RecoveredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every transition of every stock entry processor, including the refusals, run directly on a plain map entry (no
 * grid): what each answers, what it leaves on the record, and that a refusal leaves the record exactly as it was.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StockProcessorsTest
{
    private static final StockKey KEY = new StockKey("SKU-1", "LOC-1");
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final long RETENTION_MS = 86_400_000L;

    private static Map.Entry<StockKey, StockRecord> entry(final StockRecord record)
    {
        return new AbstractMap.SimpleEntry<>(KEY, record);
    }

    /** A stored record at version 1 with the given scalars, as a SetStock would leave it. */
    private static StockRecord record(final long onHand, final long safetyStock)
    {
        final StockRecord record = new StockRecord(KEY.getSku(), KEY.getLocation());
        record.setOnHand(onHand);
        record.setSafetyStock(safetyStock);
        record.setVersion(1);
        return record;
    }

    private static void assertScalars(final StockRecord record, final long onHand, final long safetyStock,
        final long reserved, final long version)
    {
        assertThat(record.onHand()).as("onHand").isEqualTo(onHand);
        assertThat(record.safetyStock()).as("safetyStock").isEqualTo(safetyStock);
        assertThat(record.reserved()).as("reserved").isEqualTo(reserved);
        assertThat(record.version()).as("version").isEqualTo(version);
    }

    private static void assertResult(final KeyResult result, final KeyResult.Code code, final boolean changed,
        final StockRecord record, final long quantity)
    {
        assertThat(result.code()).as("code").isEqualTo(code);
        assertThat(result.changed()).as("changed").isEqualTo(changed);
        assertThat(result.quantity()).as("quantity").isEqualTo(quantity);
        assertThat(result.onHand()).as("result onHand").isEqualTo(record.onHand());
        assertThat(result.safetyStock()).as("result safetyStock").isEqualTo(record.safetyStock());
        assertThat(result.reserved()).as("result reserved").isEqualTo(record.reserved());
        assertThat(result.version()).as("result version").isEqualTo(record.version());
    }

    // ---------------------------------------------------------------------------------------------------- SetStock

    @Test
    void shouldKeepEventIdsAndReturnIdsApart()
    {
        final Map.Entry<StockKey, StockRecord> entry = new AbstractMap.SimpleEntry<>(new StockKey("S", "L"), null);
        new StockProcessors.SetStock(10, 0).process(entry);
        assertThat(new StockProcessors.Adjust("same-id", 4, NOW_MS, RETENTION_MS).process(entry).code())
            .isEqualTo(KeyResult.Code.APPLIED);
        final KeyResult restocked = new StockProcessors.Return("same-id", 2, true, NOW_MS, RETENTION_MS)
            .process(entry);
        assertThat(restocked.code()).as("a return is not a repeat of an adjustment with the same id")
            .isEqualTo(KeyResult.Code.APPLIED);
        assertThat(entry.getValue().onHand()).isEqualTo(16);
    }

    @Test
    void shouldCreateRecordOnSetStockWhenNoneExists()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.SetStock(10, 2).process(entry);

        final StockRecord created = entry.getValue();
        assertThat(created).isNotNull();
        assertThat(created.getSku()).isEqualTo("SKU-1");
        assertThat(created.getLocation()).isEqualTo("LOC-1");
        assertScalars(created, 10, 2, 0, 1);
        assertThat(created.available()).isEqualTo(8);
        assertResult(result, KeyResult.Code.APPLIED, true, created, 0);
    }

    @Test
    void shouldOverwriteOnHandAndSafetyStockOnSetStock()
    {
        final StockRecord record = record(10, 2);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);

        final KeyResult result = new StockProcessors.SetStock(4, 1).process(entry);

        assertThat(entry.getValue()).isSameAs(record);
        assertScalars(record, 4, 1, 0, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, 0);
    }

    @Test
    void shouldKeepSafetyStockWhenSetStockGivesMinusOne()
    {
        final StockRecord record = record(10, 3);

        final KeyResult result = new StockProcessors.SetStock(20, -1).process(entry(record));

        assertScalars(record, 20, 3, 0, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, 0);
    }

    @Test
    void shouldSetSafetyStockToZeroWhenSetStockGivesZero()
    {
        final StockRecord record = record(10, 3);

        new StockProcessors.SetStock(10, 0).process(entry(record));

        assertScalars(record, 10, 0, 0, 2);
    }

    @Test
    void shouldKeepHoldsWhenSetStockLowersOnHandBelowReserved()
    {
        final StockRecord record = record(10, 0);
        record.addHold("r1", 6, NOW_MS + 1_000);

        final KeyResult result = new StockProcessors.SetStock(4, -1).process(entry(record));

        assertScalars(record, 4, 0, 6, 2);
        assertThat(record.holds()).containsOnlyKeys("r1");
        assertThat(record.available()).as("available floors at zero").isZero();
        assertThat(result.availability("SKU-1", "LOC-1").available()).isZero();
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 1_000);
    }

    @Test
    void shouldRaiseVersionByOneOnEverySetStock()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);
        for (int i = 1; i <= 5; i++)
        {
            final KeyResult result = new StockProcessors.SetStock(i, -1).process(entry);
            assertThat(result.version()).isEqualTo(i);
            assertThat(entry.getValue().version()).isEqualTo(i);
        }
    }

    // ------------------------------------------------------------------------------------------------------ Adjust

    @Test
    void shouldApplyAdjustAndRememberItsEventId()
    {
        final StockRecord record = record(10, 1);

        final KeyResult result = new StockProcessors.Adjust("e1", -4, NOW_MS, RETENTION_MS).process(entry(record));

        assertScalars(record, 6, 1, 0, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, -4);
        assertThat(record.seenRequests()).containsEntry(RecoveredState.adjustKey("e1"),
            new StockRecord.Seen(NOW_MS, RecoveredState.adjustFingerprint(-4)));
    }

    @Test
    void shouldCreateRecordOnPositiveAdjustWhenNoneExists()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.Adjust("e1", 7, NOW_MS, RETENTION_MS).process(entry);

        assertThat(entry.getValue()).isNotNull();
        assertScalars(entry.getValue(), 7, 0, 0, 1);
        assertResult(result, KeyResult.Code.APPLIED, true, entry.getValue(), 7);
    }

    @Test
    void shouldAnswerDuplicateForRepeatedAdjustAndChangeNothing()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Adjust("e1", 5, NOW_MS, RETENTION_MS).process(entry);

        final KeyResult result = new StockProcessors.Adjust("e1", 5, NOW_MS + 10, RETENTION_MS).process(entry);

        assertScalars(record, 15, 0, 0, 2);
        assertResult(result, KeyResult.Code.DUPLICATE, false, record, 5);
        assertThat(record.seenRequests().get(RecoveredState.adjustKey("e1")).atMs()).as("first application's time kept").isEqualTo(NOW_MS);
    }

    @Test
    void shouldAnswerFingerprintMismatchForReusedEventIdWithAnotherDelta()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Adjust("e1", 5, NOW_MS, RETENTION_MS).process(entry);

        final KeyResult result = new StockProcessors.Adjust("e1", 6, NOW_MS, RETENTION_MS).process(entry);

        assertScalars(record, 15, 0, 0, 2);
        assertResult(result, KeyResult.Code.FINGERPRINT_MISMATCH, false, record, 6);
    }

    @Test
    void shouldRefuseAdjustBelowZeroAndChangeNothing()
    {
        final StockRecord record = record(3, 0);

        final KeyResult result = new StockProcessors.Adjust("e1", -4, NOW_MS, RETENTION_MS).process(entry(record));

        assertScalars(record, 3, 0, 0, 1);
        assertResult(result, KeyResult.Code.NEGATIVE_STOCK, false, record, -4);
        assertThat(record.seenRequests()).as("a refusal is not remembered").isEmpty();
    }

    @Test
    void shouldApplyAdjustDownToExactlyZero()
    {
        final StockRecord record = record(3, 0);

        final KeyResult result = new StockProcessors.Adjust("e1", -3, NOW_MS, RETENTION_MS).process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, -3);
        assertScalars(record, 0, 0, 0, 2);
    }

    @Test
    void shouldApplyAdjustRetriedAfterNegativeStockRefusalOnceStockArrived()
    {
        final StockRecord record = record(3, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Adjust("e1", -4, NOW_MS, RETENTION_MS).process(entry);
        new StockProcessors.SetStock(10, -1).process(entry);

        final KeyResult result = new StockProcessors.Adjust("e1", -4, NOW_MS, RETENTION_MS).process(entry);

        assertResult(result, KeyResult.Code.APPLIED, true, record, -4);
        assertScalars(record, 6, 0, 0, 3);
    }

    @Test
    void shouldNotCreateRecordOnNegativeAdjustWhenNoneExists()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.Adjust("e1", -1, NOW_MS, RETENTION_MS).process(entry);

        assertThat(entry.getValue()).as("no record created by a refusal").isNull();
        assertThat(result.code()).isEqualTo(KeyResult.Code.NEGATIVE_STOCK);
        assertThat(result.changed()).isFalse();
        assertThat(result.onHand()).isZero();
        assertThat(result.version()).isZero();
    }

    @Test
    void shouldRefuseAdjustAboveStockLimitAndChangeNothing()
    {
        final StockRecord record = record(Limits.STOCK_MAX - 5, 0);

        final KeyResult result = new StockProcessors.Adjust("e1", 6, NOW_MS, RETENTION_MS).process(entry(record));

        assertScalars(record, Limits.STOCK_MAX - 5, 0, 0, 1);
        assertResult(result, KeyResult.Code.STOCK_LIMIT, false, record, 6);
        assertThat(record.seenRequests()).isEmpty();
    }

    @Test
    void shouldApplyAdjustUpToExactlyStockLimit()
    {
        final StockRecord record = record(Limits.STOCK_MAX - 5, 0);

        final KeyResult result = new StockProcessors.Adjust("e1", 5, NOW_MS, RETENTION_MS).process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, 5);
        assertThat(record.onHand()).isEqualTo(Limits.STOCK_MAX);
    }

    @Test
    void shouldNotCreateRecordOnAdjustAboveStockLimitWhenNoneExists()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.Adjust("e1", Limits.STOCK_MAX + 1, NOW_MS, RETENTION_MS)
            .process(entry);

        assertThat(entry.getValue()).isNull();
        assertThat(result.code()).isEqualTo(KeyResult.Code.STOCK_LIMIT);
    }

    // ------------------------------------------------------------------------------------------------------ Return

    @Test
    void shouldAddRestockedReturnToOnHand()
    {
        final StockRecord record = record(10, 0);

        final KeyResult result = new StockProcessors.Return("ret1", 3, true, NOW_MS, RETENTION_MS)
            .process(entry(record));

        assertScalars(record, 13, 0, 0, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, 3);
        assertThat(record.seenRequests()).containsEntry(RecoveredState.returnKey("ret1"),
            new StockRecord.Seen(NOW_MS, RecoveredState.returnFingerprint(3, true)));
    }

    @Test
    void shouldOnlyRecordDamagedReturn()
    {
        final StockRecord record = record(10, 0);

        final KeyResult result = new StockProcessors.Return("ret1", 3, false, NOW_MS, RETENTION_MS)
            .process(entry(record));

        assertScalars(record, 10, 0, 0, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, 3);
        assertThat(record.seenRequests()).containsEntry(RecoveredState.returnKey("ret1"),
            new StockRecord.Seen(NOW_MS, RecoveredState.returnFingerprint(3, false)));
    }

    @Test
    void shouldCreateRecordOnReturnWhenNoneExists()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        new StockProcessors.Return("ret1", 2, true, NOW_MS, RETENTION_MS).process(entry);

        assertScalars(entry.getValue(), 2, 0, 0, 1);
    }

    @Test
    void shouldAnswerDuplicateForRepeatedReturnAndChangeNothing()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Return("ret1", 3, true, NOW_MS, RETENTION_MS).process(entry);

        final KeyResult result = new StockProcessors.Return("ret1", 3, true, NOW_MS, RETENTION_MS).process(entry);

        assertScalars(record, 13, 0, 0, 2);
        assertResult(result, KeyResult.Code.DUPLICATE, false, record, 3);
    }

    @Test
    void shouldAnswerFingerprintMismatchForReusedReturnIdWithAnotherQuantityOrDisposition()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Return("ret1", 3, true, NOW_MS, RETENTION_MS).process(entry);

        final KeyResult otherQuantity = new StockProcessors.Return("ret1", 4, true, NOW_MS, RETENTION_MS)
            .process(entry);
        final KeyResult otherDisposition = new StockProcessors.Return("ret1", 3, false, NOW_MS, RETENTION_MS)
            .process(entry);

        assertResult(otherQuantity, KeyResult.Code.FINGERPRINT_MISMATCH, false, record, 4);
        assertResult(otherDisposition, KeyResult.Code.FINGERPRINT_MISMATCH, false, record, 3);
        assertScalars(record, 13, 0, 0, 2);
    }

    @Test
    void shouldRefuseRestockAboveStockLimitAndChangeNothing()
    {
        final StockRecord record = record(Limits.STOCK_MAX - 2, 0);

        final KeyResult result = new StockProcessors.Return("ret1", 3, true, NOW_MS, RETENTION_MS)
            .process(entry(record));

        assertScalars(record, Limits.STOCK_MAX - 2, 0, 0, 1);
        assertResult(result, KeyResult.Code.STOCK_LIMIT, false, record, 3);
        assertThat(record.seenRequests()).isEmpty();
    }

    @Test
    void shouldRecordDamagedReturnEvenAtStockLimit()
    {
        final StockRecord record = record(Limits.STOCK_MAX, 0);

        final KeyResult result = new StockProcessors.Return("ret1", 3, false, NOW_MS, RETENTION_MS)
            .process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, 3);
        assertThat(record.onHand()).isEqualTo(Limits.STOCK_MAX);
    }

    // -------------------------------------------------------------------------------------------------------- Hold

    @Test
    void shouldHoldWhenEnoughIsAvailable()
    {
        final StockRecord record = record(10, 0);

        final KeyResult result = new StockProcessors.Hold("r1", 4, NOW_MS + 5_000).process(entry(record));

        assertScalars(record, 10, 0, 4, 2);
        assertResult(result, KeyResult.Code.APPLIED, true, record, 4);
        assertThat(record.holds()).containsEntry("r1", new StockRecord.Hold(4, NOW_MS + 5_000, 0));
        assertThat(record.available()).isEqualTo(6);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 5_000);
    }

    @Test
    void shouldHoldExactlyWhatIsAvailable()
    {
        final StockRecord record = record(10, 2);
        record.addHold("r0", 3, NOW_MS + 1_000);

        final KeyResult result = new StockProcessors.Hold("r1", 5, NOW_MS + 5_000).process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, 5);
        assertScalars(record, 10, 2, 8, 2);
        assertThat(record.available()).isZero();
    }

    @Test
    void shouldRejectHoldBeyondAvailableWithTheAvailableNumber()
    {
        final StockRecord record = record(10, 2);
        record.addHold("r0", 3, NOW_MS + 1_000);

        final KeyResult result = new StockProcessors.Hold("r1", 6, NOW_MS + 5_000).process(entry(record));

        assertResult(result, KeyResult.Code.SHORT, false, record, 5);
        assertScalars(record, 10, 2, 3, 1);
        assertThat(record.holds()).containsOnlyKeys("r0");
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 1_000);
    }

    @Test
    void shouldRejectHoldWithZeroAvailableWhenSafetyStockExceedsOnHand()
    {
        final StockRecord record = record(3, 5);

        final KeyResult result = new StockProcessors.Hold("r1", 1, NOW_MS + 5_000).process(entry(record));

        assertResult(result, KeyResult.Code.SHORT, false, record, 0);
        assertThat(record.holds()).isEmpty();
    }

    @Test
    void shouldRespectSafetyStockWhenHolding()
    {
        final StockRecord record = record(10, 4);

        final KeyResult tooMuch = new StockProcessors.Hold("r1", 7, NOW_MS + 5_000).process(entry(record));
        final KeyResult fits = new StockProcessors.Hold("r2", 6, NOW_MS + 5_000).process(entry(record));

        assertThat(tooMuch.code()).isEqualTo(KeyResult.Code.SHORT);
        assertThat(tooMuch.quantity()).as("available after safety stock").isEqualTo(6);
        assertThat(fits.code()).isEqualTo(KeyResult.Code.APPLIED);
        assertThat(record.holds()).containsOnlyKeys("r2");
        assertThat(record.onHand() - record.reserved()).isEqualTo(record.safetyStock());
    }

    @Test
    void shouldRejectHoldOnMissingRecordWithoutCreatingIt()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.Hold("r1", 1, NOW_MS + 5_000).process(entry);

        assertThat(entry.getValue()).isNull();
        assertThat(result.code()).isEqualTo(KeyResult.Code.SHORT);
        assertThat(result.changed()).isFalse();
        assertThat(result.quantity()).isZero();
        assertThat(result.version()).isZero();
    }

    @Test
    void shouldAnswerAlreadyHeldOnRepeatedHoldWithNoSecondEffect()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 4, NOW_MS + 5_000).process(entry);

        final KeyResult repeat = new StockProcessors.Hold("r1", 4, NOW_MS + 9_000).process(entry);

        assertResult(repeat, KeyResult.Code.ALREADY_HELD, false, record, 4);
        assertScalars(record, 10, 0, 4, 2);
        assertThat(record.holds()).containsExactly(Map.entry("r1", new StockRecord.Hold(4, NOW_MS + 5_000, 0)));
    }

    @Test
    void shouldAnswerAlreadyHeldEvenWhenNothingIsLeftToHold()
    {
        final StockRecord record = record(4, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 4, NOW_MS + 5_000).process(entry);

        final KeyResult repeat = new StockProcessors.Hold("r1", 4, NOW_MS + 5_000).process(entry);

        assertThat(repeat.code()).isEqualTo(KeyResult.Code.ALREADY_HELD);
        assertThat(record.reserved()).isEqualTo(4);
    }

    @Test
    void shouldAnswerConflictWhenAnotherAttemptHoldsUnderTheSameReservationId()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 4, NOW_MS + 5_000, 11).process(entry);

        final KeyResult sameAttempt = new StockProcessors.Hold("r1", 4, NOW_MS + 5_000, 11).process(entry);
        final KeyResult otherAttempt = new StockProcessors.Hold("r1", 4, NOW_MS + 9_000, 12).process(entry);

        assertResult(sameAttempt, KeyResult.Code.ALREADY_HELD, false, record, 4);
        assertResult(otherAttempt, KeyResult.Code.CONFLICT, false, record, 4);
        assertScalars(record, 10, 0, 4, 2);
        assertThat(record.holds()).as("the earlier attempt's hold, untouched")
            .containsExactly(Map.entry("r1", new StockRecord.Hold(4, NOW_MS + 5_000, 11)));
    }

    @Test
    void shouldReleaseOnlyTheGivenAttemptsHold()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 4, NOW_MS + 5_000, 21).process(entry);

        final KeyResult stale = StockProcessors.ReleaseHold.ofAttempt("r1", KeyEffect.Kind.RELEASE, 20)
            .process(entry);
        assertResult(stale, KeyResult.Code.NO_HOLD, false, record, 0);
        assertScalars(record, 10, 0, 4, 2);

        final KeyResult own = StockProcessors.ReleaseHold.ofAttempt("r1", KeyEffect.Kind.RELEASE, 21)
            .process(entry);
        assertResult(own, KeyResult.Code.APPLIED, true, record, 4);
        assertScalars(record, 10, 0, 0, 3);
        assertThat(record.holds()).isEmpty();
    }

    @Test
    void shouldReleaseIfOverdueOnlyAHoldThatExpiredByTheCutoff()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 3, NOW_MS + 5_000, 1).process(entry);

        assertThat(StockProcessors.ReleaseHold.ifOverdue("r1", KeyEffect.Kind.EXPIRE, NOW_MS + 4_999).process(entry)
            .code()).as("a hold that has not yet expired by the cutoff stays").isEqualTo(KeyResult.Code.NO_HOLD);
        assertScalars(record, 10, 0, 3, 2);

        assertThat(StockProcessors.ReleaseHold.ifOverdue("r1", KeyEffect.Kind.EXPIRE, NOW_MS + 5_000).process(entry)
            .code()).isEqualTo(KeyResult.Code.APPLIED);
        assertScalars(record, 10, 0, 0, 3);
    }

    @Test
    void shouldMoveVersionOnlyWhenHoldChangesTheRecord()
    {
        final StockRecord record = record(5, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);

        assertThat(new StockProcessors.Hold("r1", 3, NOW_MS).process(entry).version()).isEqualTo(2);
        assertThat(new StockProcessors.Hold("r2", 3, NOW_MS).process(entry).version()).isEqualTo(2);
        assertThat(new StockProcessors.Hold("r1", 3, NOW_MS).process(entry).version()).isEqualTo(2);
        assertThat(new StockProcessors.Hold("r3", 2, NOW_MS).process(entry).version()).isEqualTo(3);
        assertThat(record.version()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------------ ReleaseHold / Commit

    @Test
    void shouldReleaseHoldBackToAvailability()
    {
        final StockRecord record = record(10, 1);
        record.addHold("r1", 4, NOW_MS + 1_000);
        record.addHold("r2", 2, NOW_MS + 2_000);

        final KeyResult result = new StockProcessors.ReleaseHold("r1").process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, 4);
        assertScalars(record, 10, 1, 2, 2);
        assertThat(record.holds()).containsOnlyKeys("r2");
        assertThat(record.available()).isEqualTo(7);
    }

    @Test
    void shouldAnswerNoHoldOnReleaseWithoutHold()
    {
        final StockRecord record = record(10, 0);
        record.addHold("r2", 2, NOW_MS + 2_000);

        final KeyResult result = new StockProcessors.ReleaseHold("r1").process(entry(record));

        assertResult(result, KeyResult.Code.NO_HOLD, false, record, 0);
        assertScalars(record, 10, 0, 2, 1);
    }

    @Test
    void shouldAnswerNoHoldOnRepeatedRelease()
    {
        final StockRecord record = record(10, 0);
        record.addHold("r1", 2, NOW_MS + 2_000);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.ReleaseHold("r1").process(entry);

        final KeyResult repeat = new StockProcessors.ReleaseHold("r1").process(entry);

        assertResult(repeat, KeyResult.Code.NO_HOLD, false, record, 0);
        assertScalars(record, 10, 0, 0, 2);
    }

    @Test
    void shouldAnswerNoHoldOnReleaseOrCommitOfMissingRecord()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult release = new StockProcessors.ReleaseHold("r1").process(entry);
        final KeyResult commit = new StockProcessors.CommitHold("r1").process(entry);

        assertThat(release.code()).isEqualTo(KeyResult.Code.NO_HOLD);
        assertThat(commit.code()).isEqualTo(KeyResult.Code.NO_HOLD);
        assertThat(release.changed()).isFalse();
        assertThat(commit.changed()).isFalse();
        assertThat(entry.getValue()).isNull();
    }

    @Test
    void shouldCommitHoldOutOfReservedAndOnHand()
    {
        final StockRecord record = record(10, 1);
        record.addHold("r1", 4, NOW_MS + 1_000);
        record.addHold("r2", 2, NOW_MS + 2_000);

        final KeyResult result = new StockProcessors.CommitHold("r1").process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, true, record, 4);
        assertScalars(record, 6, 1, 2, 2);
        assertThat(record.holds()).containsOnlyKeys("r2");
        assertThat(record.available()).isEqualTo(3);
    }

    @Test
    void shouldFloorOnHandAtZeroWhenCommittingMoreThanOnHand()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("r1", 8, NOW_MS + 1_000).process(entry);
        new StockProcessors.SetStock(5, -1).process(entry);

        final KeyResult result = new StockProcessors.CommitHold("r1").process(entry);

        assertResult(result, KeyResult.Code.APPLIED, true, record, 8);
        assertScalars(record, 0, 0, 0, 4);
    }

    @Test
    void shouldAnswerNoHoldOnCommitWithoutHoldOrRepeated()
    {
        final StockRecord record = record(10, 0);
        record.addHold("r1", 3, NOW_MS + 1_000);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.CommitHold("r1").process(entry);

        final KeyResult repeat = new StockProcessors.CommitHold("r1").process(entry);
        final KeyResult other = new StockProcessors.CommitHold("r9").process(entry);

        assertResult(repeat, KeyResult.Code.NO_HOLD, false, record, 0);
        assertResult(other, KeyResult.Code.NO_HOLD, false, record, 0);
        assertScalars(record, 7, 0, 0, 2);
    }

    // ----------------------------------------------------------------------------------------- scan / view / index

    @Test
    void shouldListHoldsExpiredAtOrBeforeCutoff()
    {
        final StockRecord record = record(100, 0);
        record.addHold("early", 1, NOW_MS - 1);
        record.addHold("atCutoff", 1, NOW_MS);
        record.addHold("late", 1, NOW_MS + 1);

        final ArrayList<String> ids = new StockProcessors.ExpiredHoldsScan(NOW_MS).process(entry(record));

        assertThat(ids).containsExactly("early", "atCutoff");
        assertScalars(record, 100, 0, 3, 1);
    }

    @Test
    void shouldListNothingWhenScanningMissingRecordOrNoExpiredHold()
    {
        final StockRecord record = record(100, 0);
        record.addHold("late", 1, NOW_MS + 1);

        assertThat(new StockProcessors.ExpiredHoldsScan(NOW_MS).process(entry(null))).isEmpty();
        assertThat(new StockProcessors.ExpiredHoldsScan(NOW_MS).process(entry(record))).isEmpty();
    }

    @Test
    void shouldViewScalarsWithoutChangingAnything()
    {
        final StockRecord record = record(10, 2);
        record.addHold("r1", 3, NOW_MS);

        final KeyResult result = new StockProcessors.View().process(entry(record));

        assertResult(result, KeyResult.Code.APPLIED, false, record, 0);
        assertThat(result.availability("SKU-1", "LOC-1").available()).isEqualTo(5);
        assertScalars(record, 10, 2, 3, 1);
    }

    @Test
    void shouldViewMissingRecordAsZeros()
    {
        final Map.Entry<StockKey, StockRecord> entry = entry(null);

        final KeyResult result = new StockProcessors.View().process(entry);

        assertThat(result.code()).isEqualTo(KeyResult.Code.APPLIED);
        assertThat(result.changed()).isFalse();
        assertThat(result.availability("SKU-1", "LOC-1").available()).isZero();
        assertThat(result.version()).isZero();
        assertThat(entry.getValue()).isNull();
    }

    @Test
    void shouldRunReadOnlyProcessorsWithoutBackupAndMutatingOnesOnBackup()
    {
        assertThat(new StockProcessors.View().getBackupProcessor()).isNull();
        assertThat(new StockProcessors.ExpiredHoldsScan(NOW_MS).getBackupProcessor()).isNull();
        final List<StockProcessors.Base> mutating = List.of(new StockProcessors.SetStock(1, 1),
            new StockProcessors.Adjust("e", 1, NOW_MS, RETENTION_MS),
            new StockProcessors.Return("r", 1, true, NOW_MS, RETENTION_MS), new StockProcessors.Hold("r", 1, NOW_MS),
            new StockProcessors.ReleaseHold("r"), new StockProcessors.CommitHold("r"));
        for (final StockProcessors.Base processor : mutating)
        {
            assertThat(processor.getBackupProcessor()).as(processor.getClass().getSimpleName())
                .isInstanceOf(BackupProcessor.class);
        }
    }

    @Test
    void shouldApplyTheSameChangeOnTheBackupWithoutJournalingIt()
    {
        final Map.Entry<StockKey, StockRecord> primary = new AbstractMap.SimpleEntry<>(new StockKey("S", "L"), null);
        final Map.Entry<StockKey, StockRecord> backup = new AbstractMap.SimpleEntry<>(new StockKey("S", "L"), null);
        final List<StockProcessors.Base> steps = List.of(new StockProcessors.SetStock(10, 1),
            new StockProcessors.Hold("r1", 3, NOW_MS + 1_000), new StockProcessors.Adjust("e1", 2, NOW_MS,
                RETENTION_MS), new StockProcessors.CommitHold("r1"));
        for (final StockProcessors.Base step : steps)
        {
            final KeyResult onPrimary = step.process(primary);
            final KeyResult onBackup = step.getBackupProcessor().process(backup);
            assertThat(onBackup.code()).isEqualTo(onPrimary.code());
            assertThat(onBackup.version()).isEqualTo(onPrimary.version());
        }
        assertThat(backup.getValue().onHand()).isEqualTo(primary.getValue().onHand()).isEqualTo(9);
        assertThat(backup.getValue().reserved()).isEqualTo(primary.getValue().reserved()).isZero();
    }

    @Test
    void shouldTrackEarliestExpiryAcrossAddsAndRemoves()
    {
        final StockRecord record = record(100, 0);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(Long.MAX_VALUE);

        record.addHold("b", 1, NOW_MS + 2_000);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 2_000);
        record.addHold("a", 1, NOW_MS + 1_000);
        record.addHold("c", 1, NOW_MS + 3_000);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 1_000);

        record.removeHold("c");
        assertThat(record.getEarliestExpiryMs()).as("removing a later hold keeps the earliest")
            .isEqualTo(NOW_MS + 1_000);
        record.removeHold("a");
        assertThat(record.getEarliestExpiryMs()).as("removing the earliest finds the next")
            .isEqualTo(NOW_MS + 2_000);
        assertThat(record.removeHold("missing")).isNull();
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 2_000);
        record.removeHold("b");
        assertThat(record.getEarliestExpiryMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(record.reserved()).isZero();
    }

    /** Random adds and removals (oldest first, as orders settle, and at random), checked against a scan each step. */
    @Test
    void shouldTrackEarliestExpiryExactlyUnderRandomAddsAndRemoves()
    {
        final Random random = new Random(42);
        final StockRecord record = record(1_000_000, 0);
        final ArrayDeque<String> order = new ArrayDeque<>();
        for (int step = 0; step < 20_000; step++)
        {
            final int roll = random.nextInt(10);
            if (roll < 5 || order.isEmpty())
            {
                final String id = "h" + step;
                record.addHold(id, 1 + random.nextInt(3), NOW_MS + random.nextInt(50) * 1_000L);
                order.addLast(id);
            }
            else if (roll < 8)
            {
                record.removeHold(order.pollFirst());
            }
            else
            {
                final String id = new ArrayList<>(order).get(random.nextInt(order.size()));
                order.remove(id);
                record.removeHold(id);
            }
            long min = Long.MAX_VALUE;
            long reserved = 0;
            for (final StockRecord.Hold hold : record.holds().values())
            {
                min = Math.min(min, hold.expiresAtMs());
                reserved += hold.quantity();
            }
            assertThat(record.getEarliestExpiryMs()).as("earliest expiry at step %d", step).isEqualTo(min);
            assertThat(record.reserved()).isEqualTo(reserved);
        }
    }

    @Test
    void shouldKeepEarliestExpiryWhenTwoHoldsShareItAndOneIsRemoved()
    {
        final StockRecord record = record(100, 0);
        record.addHold("a", 1, NOW_MS);
        record.addHold("b", 1, NOW_MS);

        record.removeHold("a");

        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS);
    }

    @Test
    void shouldTrackEarliestExpiryThroughProcessors()
    {
        final StockRecord record = record(100, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Hold("a", 1, NOW_MS + 1_000).process(entry);
        new StockProcessors.Hold("b", 1, NOW_MS + 2_000).process(entry);

        new StockProcessors.CommitHold("a").process(entry);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(NOW_MS + 2_000);
        new StockProcessors.ReleaseHold("b").process(entry);
        assertThat(record.getEarliestExpiryMs()).isEqualTo(Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------------------------------------ remember()

    @Test
    void shouldForgetSeenIdsPastRetentionWhenRememberingNewOnes()
    {
        final StockRecord record = record(0, 0);
        record.remember("old", NOW_MS, 1, 1_000);
        record.remember("edge", NOW_MS + 500, 2, 1_000);

        record.remember("new", NOW_MS + 1_500, 3, 1_000);

        assertThat(record.seenRequests()).as("old expired at +1000; edge is exactly at its retention")
            .containsOnlyKeys("edge", "new");
        assertThat(record.seenRequests().get("edge")).isEqualTo(new StockRecord.Seen(NOW_MS + 500, 2));

        record.remember("newer", NOW_MS + 1_501, 4, 1_000);
        assertThat(record.seenRequests()).containsOnlyKeys("new", "newer");
    }

    @Test
    void shouldForgetExpiredIdsOnlyWhenSomethingNewIsRemembered()
    {
        final StockRecord record = record(10, 0);
        final Map.Entry<StockKey, StockRecord> entry = entry(record);
        new StockProcessors.Adjust("e1", 1, NOW_MS, 1_000).process(entry);

        final KeyResult lateRepeat = new StockProcessors.Adjust("e1", 1, NOW_MS + 5_000, 1_000).process(entry);
        assertThat(lateRepeat.code()).as("still remembered: nothing new has pruned it yet")
            .isEqualTo(KeyResult.Code.DUPLICATE);

        new StockProcessors.Adjust("e2", 1, NOW_MS + 5_000, 1_000).process(entry);
        final KeyResult afterPrune = new StockProcessors.Adjust("e1", 1, NOW_MS + 5_000, 1_000).process(entry);
        assertThat(afterPrune.code()).isEqualTo(KeyResult.Code.APPLIED);
        assertThat(record.onHand()).isEqualTo(13);
    }

    @Test
    void shouldBoundSeenIdsPerKeyDroppingTheOldest()
    {
        final StockRecord record = record(0, 0);
        for (int i = 0; i < StockRecord.MAX_SEEN_PER_KEY; i++)
        {
            record.remember("id-" + i, NOW_MS, i, RETENTION_MS);
        }
        assertThat(record.seenRequests()).hasSize(StockRecord.MAX_SEEN_PER_KEY);

        record.remember("one-more", NOW_MS, -1, RETENTION_MS);
        record.remember("two-more", NOW_MS, -2, RETENTION_MS);

        assertThat(record.seenRequests()).hasSize(StockRecord.MAX_SEEN_PER_KEY);
        assertThat(record.seenRequests()).doesNotContainKeys("id-0", "id-1");
        assertThat(record.seenRequests()).containsKeys("id-2", "one-more", "two-more");
        assertThat(record.seenRequests().keySet().iterator().next()).isEqualTo("id-2");
    }

    @Test
    void shouldFailFastWhenReservedWouldGoNegative()
    {
        final StockRecord record = record(10, 0);
        record.addHold("r1", 2, NOW_MS);

        // A negative hold can only come from a broken caller: the invariant check refuses it.
        assertThatThrownBy(() -> record.addHold("bad", -3, NOW_MS))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("reserved went negative");
    }
}
