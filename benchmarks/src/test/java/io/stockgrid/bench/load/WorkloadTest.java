package io.stockgrid.bench.load;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WorkloadTest
{
    @Test
    void shouldGiveAReservationTheSameDistinctLinesEveryTime()
    {
        final Workload workload = new Workload("t1", 20, Skew.ZIPF, 1.2, 5, 1, 10, 900, 7);
        for (long seq = 0; seq < 1_000; seq++)
        {
            final int[] keys = workload.keysOf(seq);
            assertThat(keys).hasSize(5).doesNotHaveDuplicates();
            assertThat(workload.keysOf(seq)).isEqualTo(keys);
            assertThat(Arrays.stream(keys).allMatch(k -> k >= 0 && k < 20)).isTrue();
        }
    }

    @Test
    void shouldPutEveryRequestOnOneKeyWhenHot()
    {
        final Workload workload = new Workload("t1", 20, Skew.HOT, 1, 1, 1, 10, 900, 7);
        assertThat(workload.keysOf(3)).containsExactly(0);
        assertThat(workload.keysOf(99)).containsExactly(0);
    }

    @Test
    void shouldRampTheScheduleUpToTheRate()
    {
        final Schedule schedule = new Schedule(1_000, 2);
        assertThat(schedule.offsetNs(0)).isZero();
        // 1000 requests are sent in the 2 s ramp (half the rate on average), then one per millisecond.
        assertThat(schedule.offsetNs(1_000)).isEqualTo(2_000_000_000L);
        assertThat(schedule.offsetNs(2_000)).isEqualTo(3_000_000_000L);
        assertThat(new Schedule(500, 0).offsetNs(500)).isEqualTo(1_000_000_000L);
    }

    @Test
    void shouldLabelTheChartsPercentileAxisAtWholeDecades()
    {
        assertThat(Charts.percentileLabel(0)).isEqualTo("0%");
        assertThat(Charts.percentileLabel(1)).isEqualTo("90%");
        assertThat(Charts.percentileLabel(2)).isEqualTo("99%");
        assertThat(Charts.percentileLabel(3)).isEqualTo("99.9%");
        assertThat(Charts.percentileLabel(2.5)).isEmpty();
    }

    @Test
    void shouldCountALedgerFlagOnce()
    {
        final Ledger ledger = new Ledger(3_000_000);
        assertThat(ledger.mark(2_500_000, Ledger.ACCEPTED)).isZero();
        assertThat(ledger.mark(2_500_000, Ledger.ACCEPTED | Ledger.COMMITTED)).isEqualTo(Ledger.ACCEPTED);
        assertThat(ledger.get(2_500_000)).isEqualTo(Ledger.ACCEPTED | Ledger.COMMITTED);
        assertThat(ledger.get(7)).isZero();
        assertThat(StoreAudit.agrees(Ledger.ACCEPTED | Ledger.COMMITTED, "COMMITTED", false)).isTrue();
        assertThat(StoreAudit.agrees(Ledger.ACCEPTED | Ledger.COMMITTED, "HELD", true)).isFalse();
        assertThat(StoreAudit.agrees(Ledger.ACCEPTED, "EXPIRED", true)).isTrue();
        assertThat(StoreAudit.agrees(Ledger.ACCEPTED, "EXPIRED", false)).as("expired before its TTL").isFalse();
        assertThat(StoreAudit.agrees(Ledger.ACCEPTED, null, true)).isFalse();
    }

    @Test
    void shouldKeepACopyOfTheLedgerAsItWasWhenLateAnswersArrive()
    {
        final Ledger live = new Ledger(3_000_000);
        live.mark(5, Ledger.RESERVE_SENT | Ledger.ACCEPTED);
        live.mark(2_000_001, Ledger.RESERVE_SENT);
        final Ledger copy = live.copy();
        live.mark(2_000_001, Ledger.ACCEPTED); // a late answer, while the audit runs
        live.mark(2_999_999, Ledger.RESERVE_SENT);
        assertThat(copy.get(5)).isEqualTo(Ledger.RESERVE_SENT | Ledger.ACCEPTED);
        assertThat(copy.get(2_000_001)).isEqualTo(Ledger.RESERVE_SENT);
        assertThat(copy.get(2_999_999)).isZero();
        assertThat(live.get(2_000_001)).isEqualTo(Ledger.RESERVE_SENT | Ledger.ACCEPTED);
    }

    @Test
    void shouldGiveEachTargetOfARunItsOwnNamesSoThatTwoDoorsOfOneNodeDoNotShareReservations()
    {
        final LoadOptions options = new LoadOptions();
        options.targets = List.of("binary", "http");
        options.conclude();
        assertThat(options.workload(0).reservationId(7)).isNotEqualTo(options.workload(1).reservationId(7));
        assertThat(options.workload(0).sku(3)).isNotEqualTo(options.workload(1).sku(3));
        assertThat(options.workload(1).reservationId(7)).isEqualTo(options.workload(1).reservationId(7));
    }
}
