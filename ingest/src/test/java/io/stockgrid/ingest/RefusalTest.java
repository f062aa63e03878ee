package io.stockgrid.ingest;

import io.stockgrid.api.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one table of error outcomes both doors answer from: every pipeline outcome maps to an entry or to a success,
 * the 503s (and only they) say "retry after", and messages join their parts around their arguments.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RefusalTest
{
    @Test
    void shouldMapEveryStockOutcomeToASuccessOrAnEntry()
    {
        assertThat(Refusal.ofStock(StockOutcome.Code.APPLIED)).isNull();
        assertThat(Refusal.ofStock(StockOutcome.Code.DUPLICATE)).isNull();
        assertThat(Refusal.ofStock(StockOutcome.Code.NEGATIVE_STOCK).code()).isEqualTo(ErrorCode.NEGATIVE_STOCK);
        assertThat(Refusal.ofStock(StockOutcome.Code.STOCK_LIMIT).code()).isEqualTo(ErrorCode.STOCK_LIMIT_EXCEEDED);
        assertThat(Refusal.ofStock(StockOutcome.Code.FINGERPRINT_MISMATCH).code())
            .isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    }

    @Test
    void shouldMapEveryReserveAndSettleOutcomeAndRefuseOnesThatCannotHappen()
    {
        final Set<ReservationOutcome.Code> reserve = EnumSet.of(ReservationOutcome.Code.HELD,
            ReservationOutcome.Code.REJECTED, ReservationOutcome.Code.REPLAYED, ReservationOutcome.Code.IN_PROGRESS,
            ReservationOutcome.Code.FINGERPRINT_MISMATCH, ReservationOutcome.Code.FAILED);
        final Set<ReservationOutcome.Code> settle = EnumSet.of(ReservationOutcome.Code.SETTLED,
            ReservationOutcome.Code.NOT_FOUND, ReservationOutcome.Code.NOT_HELD, ReservationOutcome.Code.IN_PROGRESS);
        for (final ReservationOutcome.Code code : ReservationOutcome.Code.values())
        {
            assertThat(reserve.contains(code) || settle.contains(code)).as(code + " is answered somewhere").isTrue();
            if (!reserve.contains(code))
            {
                assertThatThrownBy(() -> Refusal.ofReserve(code)).as(code.name())
                    .isInstanceOf(IllegalStateException.class);
            }
            if (!settle.contains(code))
            {
                assertThatThrownBy(() -> Refusal.ofSettle(code)).as(code.name())
                    .isInstanceOf(IllegalStateException.class);
            }
        }
        assertThat(Refusal.ofReserve(ReservationOutcome.Code.REJECTED)).as("answered with the reservation").isNull();
        assertThat(Refusal.ofReserve(ReservationOutcome.Code.FAILED).code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(Refusal.ofSettle(ReservationOutcome.Code.NOT_HELD).code())
            .isEqualTo(ErrorCode.RESERVATION_NOT_HELD);
        assertThat(Refusal.ofSettle(ReservationOutcome.Code.IN_PROGRESS).code())
            .isEqualTo(ErrorCode.REQUEST_IN_PROGRESS);
    }

    @Test
    void shouldMapFailuresAndSayRetryAfterForThe503sOnly()
    {
        assertThat(Refusal.ofFailure(new CompletionException(new IllegalStateException("boom"))))
            .isEqualTo(Refusal.GRID_FAILED);
        for (final Refusal refusal : Refusal.values())
        {
            assertThat(refusal.retryAfterMs()).as(refusal.name())
                .isEqualTo(refusal.httpStatus() == 503 ? Refusal.RETRY_AFTER_MS : 0);
            assertThat(refusal.httpStatus()).as(refusal.name()).isBetween(400, 599);
        }
    }

    @Test
    void shouldJoinTheMessagePartsAroundTheArguments()
    {
        assertThat(Refusal.NEGATIVE_STOCK.message(3L))
            .isEqualTo("the change would make onHand negative (onHand is 3); nothing applied");
        assertThat(Refusal.RESERVATION_NOT_HELD.message("order-7781", "COMMITTED"))
            .isEqualTo("reservation order-7781 is COMMITTED");
        assertThat(Refusal.RESERVATION_NOT_FOUND.message("x")).isEqualTo("no reservation x");
        assertThat(Refusal.NO_QUORUM.message()).contains("nothing changed");
        assertThatThrownBy(() -> Refusal.NEGATIVE_STOCK.message()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Refusal.NOT_READY.message("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
