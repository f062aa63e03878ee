package io.stockgrid.grid;

import com.hazelcast.map.ExtendedMapEntry;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every transition of every reservation entry processor from every phase, run directly on a plain map entry (no
 * grid), including the refusals, which must leave the stored record untouched.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReservationProcessorsTest
{
    private static final String ID = "r1";
    private static final long CREATED_MS = 1_700_000_000_000L;
    private static final long EXPIRES_MS = CREATED_MS + 60_000;
    private static final long RETAIN_UNTIL_MS = EXPIRES_MS + 3_600_000;
    private static final List<ReservationLine> LINES =
        List.of(new ReservationLine("S1", "L1", 2), new ReservationLine("S2", "L1", 1));
    private static final List<ShortLine> SHORT_LINES = List.of(new ShortLine("S2", "L1", 1, 0));

    private static ReservationState state(final ReservationPhase phase, final ReservationPhase firstOutcome,
        final long version, final String fingerprint)
    {
        return new ReservationState(ID, phase, firstOutcome, version, CREATED_MS, EXPIRES_MS, RETAIN_UNTIL_MS,
            fingerprint, "corr-1", LINES, List.of());
    }

    /** A record in {@code phase} as the real flow would have left it (firstOutcome set once it left PENDING). */
    private static ReservationRecord recordIn(final ReservationPhase phase)
    {
        return switch (phase)
        {
            case PENDING -> new ReservationRecord(state(phase, null, 1, "fp-1"));
            case REJECTED -> new ReservationRecord(new ReservationState(ID, phase, ReservationPhase.REJECTED, 2,
                CREATED_MS, EXPIRES_MS, RETAIN_UNTIL_MS, "fp-1", "corr-1", LINES, SHORT_LINES));
            case HELD -> new ReservationRecord(state(phase, ReservationPhase.HELD, 2, "fp-1"));
            default -> new ReservationRecord(state(phase, ReservationPhase.HELD, 3, "fp-1"));
        };
    }

    private static Map.Entry<String, ReservationRecord> entry(final ReservationRecord record)
    {
        return new AbstractMap.SimpleEntry<>(ID, record);
    }

    /** A map entry that records the time-to-live it was stored with, as Hazelcast's own entry would apply it. */
    private static final class TtlEntry extends AbstractMap.SimpleEntry<String, ReservationRecord>
        implements ExtendedMapEntry<String, ReservationRecord>
    {
        private static final long serialVersionUID = 1L;
        private long ttlMs = -1;

        TtlEntry(final ReservationRecord value)
        {
            super(ID, value);
        }

        @Override
        public ReservationRecord setValue(final ReservationRecord value, final long ttl, final TimeUnit ttlUnit)
        {
            ttlMs = ttlUnit.toMillis(ttl);
            return super.setValue(value);
        }

        @Override
        public ReservationRecord setValueWithoutChangingExpiryTime(final ReservationRecord value)
        {
            return super.setValue(value);
        }
    }

    /** The fields no transition may change. */
    private static void assertSameRequest(final ReservationState after, final ReservationState before)
    {
        assertThat(after.reservationId()).isEqualTo(before.reservationId());
        assertThat(after.createdAtMs()).isEqualTo(before.createdAtMs());
        assertThat(after.expiresAtMs()).isEqualTo(before.expiresAtMs());
        assertThat(after.retainUntilMs()).isEqualTo(before.retainUntilMs());
        assertThat(after.fingerprint()).isEqualTo(before.fingerprint());
        assertThat(after.correlationId()).isEqualTo(before.correlationId());
        assertThat(after.lines()).isEqualTo(before.lines());
    }

    private static void assertUnchanged(final ReservationResult result, final ReservationResult.Code code,
        final Map.Entry<String, ReservationRecord> entry, final ReservationRecord before)
    {
        assertThat(result.code()).isEqualTo(code);
        assertThat(entry.getValue()).as("stored record untouched").isSameAs(before);
        assertThat(result.state()).isEqualTo(before.state());
    }

    // ------------------------------------------------------------------------------------------------------- Begin

    /**
     * The life cycle is checked where a change is stored: a Finish that would move PENDING to a phase no step of the
     * life cycle leads to (here COMMITTED) is refused, and the record is left as it was.
     */
    @Test
    void shouldRefuseAChangeThatIsNoStepOfTheLifeCycleLeavingTheRecordUnchanged()
    {
        final ReservationRecord before = recordIn(ReservationPhase.PENDING);
        final Map.Entry<String, ReservationRecord> entry = entry(before);
        assertThatThrownBy(() -> new ReservationProcessors.Finish(ReservationPhase.COMMITTED, List.of(), CREATED_MS)
            .process(entry)).isInstanceOf(IllegalStateException.class).hasMessageContaining("PENDING -> COMMITTED");
        assertThat(entry.getValue()).isSameAs(before);
    }

    @Test
    void shouldCreatePendingRecordOnBeginWithRetentionAsTimeToLive()
    {
        final ReservationState pending = state(ReservationPhase.PENDING, null, 1, "fp-1");
        final TtlEntry entry = new TtlEntry(null);

        final ReservationResult result = new ReservationProcessors.Begin(pending, CREATED_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.CREATED);
        assertThat(result.state()).as("the caller holds what it sent").isNull();
        assertThat(entry.getValue().state()).isEqualTo(pending);
        assertThat(entry.ttlMs).isEqualTo(RETAIN_UNTIL_MS - CREATED_MS);
    }

    @ParameterizedTest
    @EnumSource(ReservationPhase.class)
    void shouldAnswerExistsForSameRequestInEveryPhase(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Begin(
            state(ReservationPhase.PENDING, null, 1, "fp-1"), CREATED_MS + 1_000).process(entry);

        assertUnchanged(result, ReservationResult.Code.EXISTS, entry, existing);
    }

    @ParameterizedTest
    @EnumSource(ReservationPhase.class)
    void shouldAnswerMismatchForReusedIdInEveryPhase(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Begin(
            state(ReservationPhase.PENDING, null, 1, "fp-other"), CREATED_MS + 1_000).process(entry);

        assertUnchanged(result, ReservationResult.Code.MISMATCH, entry, existing);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED", "EXPIRED", "REJECTED"})
    void shouldStartAfreshWhenFinishedReservationIsPastRetention(final ReservationPhase phase)
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(phase));
        final long nowMs = RETAIN_UNTIL_MS + 1;
        final ReservationState fresh = new ReservationState(ID, ReservationPhase.PENDING, null, 1, nowMs,
            nowMs + 1_000, nowMs + 2_000, "fp-other", null, LINES, List.of());

        final ReservationResult result = new ReservationProcessors.Begin(fresh, nowMs).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.CREATED);
        assertThat(entry.getValue().state()).isEqualTo(fresh);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED", "EXPIRED", "REJECTED"})
    void shouldRememberFinishedReservationUntilRetentionEnds(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Begin(
            state(ReservationPhase.PENDING, null, 1, "fp-other"), RETAIN_UNTIL_MS).process(entry);

        assertUnchanged(result, ReservationResult.Code.MISMATCH, entry, existing);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"PENDING", "HELD"})
    void shouldNeverForgetReservationThatMayHoldStock(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Begin(
            state(ReservationPhase.PENDING, null, 1, "fp-1"), RETAIN_UNTIL_MS + 1).process(entry);

        assertUnchanged(result, ReservationResult.Code.EXISTS, entry, existing);
    }

    // ------------------------------------------------------------------------------------------------------ Finish

    @Test
    void shouldFinishPendingAsHeld()
    {
        final ReservationRecord pending = recordIn(ReservationPhase.PENDING);
        final TtlEntry entry = new TtlEntry(pending);

        final ReservationResult result = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
            CREATED_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        final ReservationState after = entry.getValue().state();
        assertThat(result.state()).isEqualTo(after);
        assertThat(after.phase()).isEqualTo(ReservationPhase.HELD);
        assertThat(after.firstOutcome()).isEqualTo(ReservationPhase.HELD);
        assertThat(after.version()).isEqualTo(2);
        assertThat(after.shortLines()).isEmpty();
        assertSameRequest(after, pending.state());
        assertThat(entry.ttlMs).isEqualTo(RETAIN_UNTIL_MS - CREATED_MS);
    }

    @Test
    void shouldFinishPendingAsRejectedWithShortLines()
    {
        final ReservationRecord pending = recordIn(ReservationPhase.PENDING);
        final Map.Entry<String, ReservationRecord> entry = entry(pending);

        final ReservationResult result = new ReservationProcessors.Finish(ReservationPhase.REJECTED, SHORT_LINES,
            CREATED_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        final ReservationState after = entry.getValue().state();
        assertThat(after.phase()).isEqualTo(ReservationPhase.REJECTED);
        assertThat(after.firstOutcome()).isEqualTo(ReservationPhase.REJECTED);
        assertThat(after.shortLines()).isEqualTo(SHORT_LINES);
        assertThat(after.version()).isEqualTo(2);
        assertSameRequest(after, pending.state());
    }

    @Test
    void shouldAnswerNotFoundOnFinishWithoutRecord()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(null);

        final ReservationResult result = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
            CREATED_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.NOT_FOUND);
        assertThat(result.state()).isNull();
        assertThat(entry.getValue()).isNull();
    }

    @Test
    void shouldRecordFirstOutcomeButNotAllowFinishAfterSweepExpiredPending()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.PENDING));
        final ReservationResult expired = new ReservationProcessors.Expire(EXPIRES_MS).process(entry);
        assertThat(expired.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(expired.state().firstOutcome()).isNull();

        final ReservationResult finish = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
            EXPIRES_MS).process(entry);

        assertThat(finish.code()).isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        final ReservationState after = entry.getValue().state();
        assertThat(finish.state()).isEqualTo(after);
        assertThat(after.phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(after.firstOutcome()).isEqualTo(ReservationPhase.HELD);
        assertThat(after.version()).isEqualTo(3);

        final ReservationRecord noted = entry.getValue();
        final ReservationResult repeat = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
            EXPIRES_MS).process(entry);
        assertUnchanged(repeat, ReservationResult.Code.ALREADY, entry, noted);
    }

    @Test
    void shouldRecordRejectedFirstOutcomeWithShortLinesAfterSweepExpiredPending()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.PENDING));
        new ReservationProcessors.Expire(EXPIRES_MS + 5).process(entry);

        final ReservationResult finish = new ReservationProcessors.Finish(ReservationPhase.REJECTED, SHORT_LINES,
            EXPIRES_MS + 5).process(entry);

        assertThat(finish.code()).isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        assertThat(finish.state().phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(finish.state().firstOutcome()).isEqualTo(ReservationPhase.REJECTED);
        assertThat(finish.state().shortLines()).isEqualTo(SHORT_LINES);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"HELD", "COMMITTED", "RELEASED", "EXPIRED", "REJECTED"})
    void shouldAnswerAlreadyOnFinishOfDecidedReservation(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(),
            CREATED_MS).process(entry);

        assertUnchanged(result, ReservationResult.Code.ALREADY, entry, existing);
    }

    // ------------------------------------------------------------------------------------------------------ Settle

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED"})
    void shouldSettleHeldBeforeExpiry(final ReservationPhase target)
    {
        final ReservationRecord held = recordIn(ReservationPhase.HELD);
        final TtlEntry entry = new TtlEntry(held);

        final ReservationResult result = new ReservationProcessors.Settle(target, EXPIRES_MS - 1).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        final ReservationState after = entry.getValue().state();
        assertThat(result.state()).isEqualTo(after);
        assertThat(after.phase()).isEqualTo(target);
        assertThat(after.firstOutcome()).as("first answer kept for retries").isEqualTo(ReservationPhase.HELD);
        assertThat(after.version()).isEqualTo(3);
        assertSameRequest(after, held.state());
        assertThat(entry.ttlMs).isEqualTo(RETAIN_UNTIL_MS - (EXPIRES_MS - 1));
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED"})
    void shouldExpireHeldOnSettleAtExpiry(final ReservationPhase target)
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.HELD));

        final ReservationResult result = new ReservationProcessors.Settle(target, EXPIRES_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.EXPIRED_NOW);
        assertThat(entry.getValue().state().phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(entry.getValue().state().firstOutcome()).isEqualTo(ReservationPhase.HELD);
        assertThat(entry.getValue().state().version()).isEqualTo(3);
        assertThat(result.state()).isEqualTo(entry.getValue().state());
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED"})
    void shouldExpireHeldOnSettleAfterExpiryAndRefuseTheRepeat(final ReservationPhase target)
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.HELD));

        final ReservationResult first = new ReservationProcessors.Settle(target, EXPIRES_MS + 10_000)
            .process(entry);
        final ReservationRecord expired = entry.getValue();
        final ReservationResult repeat = new ReservationProcessors.Settle(target, EXPIRES_MS + 10_001)
            .process(entry);

        assertThat(first.code()).isEqualTo(ReservationResult.Code.EXPIRED_NOW);
        assertUnchanged(repeat, ReservationResult.Code.NOT_ALLOWED, entry, expired);
    }

    @Test
    void shouldStoreAtLeastOneMillisecondOfRetentionWhenSettlingLongAfterIt()
    {
        final TtlEntry entry = new TtlEntry(recordIn(ReservationPhase.HELD));

        new ReservationProcessors.Settle(ReservationPhase.COMMITTED, RETAIN_UNTIL_MS + 5_000).process(entry);

        assertThat(entry.getValue().state().phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(entry.ttlMs).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED"})
    void shouldAnswerAlreadyOnRepeatedSettleEvenAfterExpiry(final ReservationPhase target)
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.HELD));
        new ReservationProcessors.Settle(target, CREATED_MS).process(entry);
        final ReservationRecord settled = entry.getValue();

        final ReservationResult beforeExpiry = new ReservationProcessors.Settle(target, CREATED_MS + 1)
            .process(entry);
        final ReservationResult afterExpiry = new ReservationProcessors.Settle(target, EXPIRES_MS + 1)
            .process(entry);

        assertUnchanged(beforeExpiry, ReservationResult.Code.ALREADY, entry, settled);
        assertUnchanged(afterExpiry, ReservationResult.Code.ALREADY, entry, settled);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"PENDING", "EXPIRED", "REJECTED"})
    void shouldNotAllowCommitOrReleaseOfReservationThatIsNotHeld(final ReservationPhase phase)
    {
        for (final ReservationPhase target : List.of(ReservationPhase.COMMITTED, ReservationPhase.RELEASED))
        {
            final ReservationRecord existing = recordIn(phase);
            final Map.Entry<String, ReservationRecord> entry = entry(existing);

            final ReservationResult result = new ReservationProcessors.Settle(target, CREATED_MS).process(entry);

            assertUnchanged(result, ReservationResult.Code.NOT_ALLOWED, entry, existing);
        }
    }

    @Test
    void shouldNotAllowReleaseOfCommittedNorCommitOfReleased()
    {
        final ReservationRecord committed = recordIn(ReservationPhase.COMMITTED);
        final Map.Entry<String, ReservationRecord> committedEntry = entry(committed);
        final ReservationRecord released = recordIn(ReservationPhase.RELEASED);
        final Map.Entry<String, ReservationRecord> releasedEntry = entry(released);

        final ReservationResult release = new ReservationProcessors.Settle(ReservationPhase.RELEASED, CREATED_MS)
            .process(committedEntry);
        final ReservationResult commit = new ReservationProcessors.Settle(ReservationPhase.COMMITTED, CREATED_MS)
            .process(releasedEntry);

        assertUnchanged(release, ReservationResult.Code.NOT_ALLOWED, committedEntry, committed);
        assertUnchanged(commit, ReservationResult.Code.NOT_ALLOWED, releasedEntry, released);
    }

    @Test
    void shouldAnswerNotFoundOnSettleWithoutRecord()
    {
        final ReservationResult result = new ReservationProcessors.Settle(ReservationPhase.COMMITTED, CREATED_MS)
            .process(entry(null));

        assertThat(result.code()).isEqualTo(ReservationResult.Code.NOT_FOUND);
        assertThat(result.state()).isNull();
    }

    // ------------------------------------------------------------------------------------------------------ Expire

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"PENDING", "HELD"})
    void shouldExpireReservationThatHoldsStockAtItsExpiry(final ReservationPhase phase)
    {
        final ReservationRecord before = recordIn(phase);
        final TtlEntry entry = new TtlEntry(before);

        final ReservationResult result = new ReservationProcessors.Expire(EXPIRES_MS).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        final ReservationState after = entry.getValue().state();
        assertThat(result.state()).isEqualTo(after);
        assertThat(after.phase()).isEqualTo(ReservationPhase.EXPIRED);
        assertThat(after.firstOutcome()).isEqualTo(before.state().firstOutcome());
        assertThat(after.version()).isEqualTo(before.state().version() + 1);
        assertSameRequest(after, before.state());
        assertThat(entry.ttlMs).isEqualTo(RETAIN_UNTIL_MS - EXPIRES_MS);
    }

    @Test
    void shouldExpireHeldLongAfterItsExpiry()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(recordIn(ReservationPhase.HELD));

        final ReservationResult result = new ReservationProcessors.Expire(EXPIRES_MS + 3_000).process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(entry.getValue().phase()).isEqualTo(ReservationPhase.EXPIRED);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"PENDING", "HELD"})
    void shouldNotExpireBeforeExpiry(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Expire(EXPIRES_MS - 1).process(entry);

        assertUnchanged(result, ReservationResult.Code.NOT_ALLOWED, entry, existing);
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"COMMITTED", "RELEASED", "EXPIRED", "REJECTED"})
    void shouldNotExpireReservationThatHoldsNoStock(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Expire(EXPIRES_MS + 1).process(entry);

        assertUnchanged(result, ReservationResult.Code.NOT_ALLOWED, entry, existing);
    }

    @Test
    void shouldAnswerNotFoundOnExpireWithoutRecord()
    {
        final ReservationResult result = new ReservationProcessors.Expire(EXPIRES_MS).process(entry(null));

        assertThat(result.code()).isEqualTo(ReservationResult.Code.NOT_FOUND);
        assertThat(result.state()).isNull();
    }

    // ----------------------------------------------------------------------------------------------------- Abandon

    @Test
    void shouldForgetPendingReservationOnAbandon()
    {
        final ReservationRecord pending = recordIn(ReservationPhase.PENDING);
        final Map.Entry<String, ReservationRecord> entry = entry(pending);

        final ReservationResult result = new ReservationProcessors.Abandon().process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(result.state()).isEqualTo(pending.state());
        assertThat(entry.getValue()).isNull();
    }

    @ParameterizedTest
    @EnumSource(value = ReservationPhase.class, names = {"HELD", "COMMITTED", "RELEASED", "EXPIRED", "REJECTED"})
    void shouldNotAbandonReservationThatLeftPending(final ReservationPhase phase)
    {
        final ReservationRecord existing = recordIn(phase);
        final Map.Entry<String, ReservationRecord> entry = entry(existing);

        final ReservationResult result = new ReservationProcessors.Abandon().process(entry);

        assertUnchanged(result, ReservationResult.Code.NOT_ALLOWED, entry, existing);
    }

    @Test
    void shouldNotAbandonAnotherAttemptsPendingReservation()
    {
        final ReservationRecord theirs = new ReservationRecord(state(ReservationPhase.PENDING, null, 1, "fp-1"),
            "node-2", 8);
        final Map.Entry<String, ReservationRecord> entry = entry(theirs);

        final ReservationResult stale = new ReservationProcessors.Abandon(7).process(entry);

        assertUnchanged(stale, ReservationResult.Code.NOT_ALLOWED, entry, theirs);
        assertThat(new ReservationProcessors.Abandon(8).process(entry).code())
            .isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(entry.getValue()).isNull();
    }

    @Test
    void shouldAnswerCreatedToItsOwnBeginRunAgainButExistsToAnotherAttempt()
    {
        final ReservationState pending = state(ReservationPhase.PENDING, null, 1, "fp-1");
        final Map.Entry<String, ReservationRecord> entry = entry(null);
        new ReservationProcessors.Begin(pending, CREATED_MS, "node-1", 31).process(entry);
        final ReservationRecord created = entry.getValue();

        final ReservationResult again = new ReservationProcessors.Begin(pending, CREATED_MS, "node-1", 31)
            .process(entry);
        final ReservationResult other = new ReservationProcessors.Begin(pending, CREATED_MS + 5, "node-2", 32)
            .process(entry);

        assertThat(again.code()).as("Hazelcast re-running the same call's Begin").isEqualTo(
            ReservationResult.Code.CREATED);
        assertThat(other.code()).as("a retry while the first call is still in progress").isEqualTo(
            ReservationResult.Code.EXISTS);
        assertThat(entry.getValue()).isSameAs(created);
    }

    @Test
    void shouldNotFinishAnotherAttemptsPendingReservation()
    {
        final ReservationRecord theirs = new ReservationRecord(state(ReservationPhase.PENDING, null, 1, "fp-1"),
            "node-2", 8);
        final Map.Entry<String, ReservationRecord> entry = entry(theirs);

        final ReservationResult stale = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), CREATED_MS,
            7).process(entry);

        assertUnchanged(stale, ReservationResult.Code.NOT_FOUND, entry, theirs);
        final ReservationResult own = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), CREATED_MS,
            8).process(entry);
        assertThat(own.code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(entry.getValue().phase()).isEqualTo(ReservationPhase.HELD);
        assertThat(entry.getValue().attempt()).as("kept through the transition").isEqualTo(8);
    }

    @Test
    void shouldNotAllowAbandonWithoutRecord()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(null);

        final ReservationResult result = new ReservationProcessors.Abandon().process(entry);

        assertThat(result.code()).isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        assertThat(result.state()).isNull();
        assertThat(entry.getValue()).isNull();
    }

    // ------------------------------------------------------------------------------------------------ the record

    @ParameterizedTest
    @EnumSource(ReservationPhase.class)
    void shouldIndexExpiryOnlyWhileReservationMayHoldStock(final ReservationPhase phase)
    {
        final long heldUntilMs = recordIn(phase).getHeldUntilMs();

        assertThat(heldUntilMs).isEqualTo(phase.holdsStock() ? EXPIRES_MS : Long.MAX_VALUE);
    }

    @Test
    void shouldRunAFullLifeCycleThroughTheProcessors()
    {
        final Map.Entry<String, ReservationRecord> entry = entry(null);
        final ReservationState pending = state(ReservationPhase.PENDING, null, 1, "fp-1");

        assertThat(new ReservationProcessors.Begin(pending, CREATED_MS).process(entry).code())
            .isEqualTo(ReservationResult.Code.CREATED);
        assertThat(new ReservationProcessors.Begin(pending, CREATED_MS).process(entry).code())
            .isEqualTo(ReservationResult.Code.EXISTS);
        assertThat(new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), CREATED_MS).process(entry)
            .code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(new ReservationProcessors.Abandon().process(entry).code())
            .isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        assertThat(new ReservationProcessors.Expire(EXPIRES_MS - 1).process(entry).code())
            .isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        assertThat(new ReservationProcessors.Settle(ReservationPhase.COMMITTED, EXPIRES_MS - 1).process(entry)
            .code()).isEqualTo(ReservationResult.Code.TRANSITIONED);
        assertThat(new ReservationProcessors.Expire(EXPIRES_MS).process(entry).code())
            .isEqualTo(ReservationResult.Code.NOT_ALLOWED);
        assertThat(new ReservationProcessors.Settle(ReservationPhase.RELEASED, EXPIRES_MS).process(entry).code())
            .isEqualTo(ReservationResult.Code.NOT_ALLOWED);

        final ReservationState last = entry.getValue().state();
        assertThat(last.phase()).isEqualTo(ReservationPhase.COMMITTED);
        assertThat(last.firstOutcome()).isEqualTo(ReservationPhase.HELD);
        assertThat(last.version()).isEqualTo(3);
    }
}
