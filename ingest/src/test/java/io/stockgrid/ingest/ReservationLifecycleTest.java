package io.stockgrid.ingest;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.stockgrid.ingest.ReservationLifecycle.Step.BEGIN;
import static io.stockgrid.ingest.ReservationLifecycle.Step.COMMIT;
import static io.stockgrid.ingest.ReservationLifecycle.Step.EXPIRE;
import static io.stockgrid.ingest.ReservationLifecycle.Step.FINISH_HELD;
import static io.stockgrid.ingest.ReservationLifecycle.Step.FINISH_REJECTED;
import static io.stockgrid.ingest.ReservationLifecycle.Step.RELEASE;
import static io.stockgrid.ingest.ReservationPhase.COMMITTED;
import static io.stockgrid.ingest.ReservationPhase.EXPIRED;
import static io.stockgrid.ingest.ReservationPhase.HELD;
import static io.stockgrid.ingest.ReservationPhase.PENDING;
import static io.stockgrid.ingest.ReservationPhase.REJECTED;
import static io.stockgrid.ingest.ReservationPhase.RELEASED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reservation life cycle table, pinned: every (phase, step) pair it allows, and that it allows nothing else. */
class ReservationLifecycleTest
{
    /** The table as the class comment draws it; a change to the life cycle changes both. */
    private static final Object[][] ALLOWED = {
        {null, BEGIN, PENDING},
        {PENDING, FINISH_HELD, HELD},
        {PENDING, FINISH_REJECTED, REJECTED},
        {PENDING, EXPIRE, EXPIRED},
        {HELD, COMMIT, COMMITTED},
        {HELD, RELEASE, RELEASED},
        {HELD, EXPIRE, EXPIRED},
        {COMMITTED, BEGIN, PENDING},
        {RELEASED, BEGIN, PENDING},
        {EXPIRED, BEGIN, PENDING},
        {REJECTED, BEGIN, PENDING},
    };

    @Test
    void shouldAllowExactlyTheStepsOfTheLifeCycle()
    {
        final List<ReservationPhase> froms = new ArrayList<>();
        froms.add(null);
        froms.addAll(List.of(ReservationPhase.values()));
        int allowed = 0;
        for (final ReservationPhase from : froms)
        {
            for (final ReservationLifecycle.Step step : ReservationLifecycle.Step.values())
            {
                final ReservationPhase expected = expected(from, step);
                assertThat(ReservationLifecycle.next(from, step)).as("%s --%s-->", from, step).isEqualTo(expected);
                allowed += expected == null ? 0 : 1;
            }
        }
        assertThat(allowed).isEqualTo(ALLOWED.length);
    }

    @Test
    void shouldSayWhichPhaseMayFollowWhich()
    {
        assertThat(ReservationLifecycle.mayFollow(null, PENDING)).isTrue();
        assertThat(ReservationLifecycle.mayFollow(null, HELD)).as("a record is created PENDING").isFalse();
        assertThat(ReservationLifecycle.mayFollow(PENDING, HELD)).isTrue();
        assertThat(ReservationLifecycle.mayFollow(HELD, HELD)).as("a rewrite that only notes something").isTrue();
        assertThat(ReservationLifecycle.mayFollow(HELD, PENDING)).as("a held reservation is never begun again")
            .isFalse();
        assertThat(ReservationLifecycle.mayFollow(COMMITTED, RELEASED)).isFalse();
        assertThat(ReservationLifecycle.mayFollow(REJECTED, HELD)).isFalse();
        assertThat(ReservationLifecycle.mayFollow(EXPIRED, PENDING)).as("begun afresh after its retention").isTrue();
        assertThatThrownBy(() -> ReservationLifecycle.check("r-9", COMMITTED, HELD))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("r-9")
            .hasMessageContaining("COMMITTED -> HELD");
    }

    private static ReservationPhase expected(final ReservationPhase from, final ReservationLifecycle.Step step)
    {
        for (final Object[] row : ALLOWED)
        {
            if (row[0] == from && row[1] == step)
            {
                return (ReservationPhase)row[2];
            }
        }
        return null;
    }
}
