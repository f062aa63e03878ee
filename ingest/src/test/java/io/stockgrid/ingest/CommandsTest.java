package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommandsTest
{
    private static final ReservationLine A = new ReservationLine("SKU-1", "WH-1", 2);
    private static final ReservationLine B = new ReservationLine("SKU-2", "WH-1", 1);

    @Test
    void shouldFingerprintTheSameLinesInAnyOrderAlike()
    {
        assertThat(Commands.reserveFingerprint(List.of(A, B), 900))
            .isEqualTo(Commands.reserveFingerprint(List.of(B, A), 900))
            .hasSize(32).matches("[0-9a-f]{32}");
    }

    @Test
    void shouldFingerprintEveryDifferenceApart()
    {
        final Set<String> seen = new HashSet<>();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(A, B), 900))).isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(A, B), 901))).as("ttl").isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(A), 900))).as("a line fewer").isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(new ReservationLine("SKU-1", "WH-1", 3), B), 900)))
            .as("quantity").isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(new ReservationLine("SKU-1", "WH-2", 2), B), 900)))
            .as("location").isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(new ReservationLine("ab", "c", 1)), 1)))
            .isTrue();
        assertThat(seen.add(Commands.reserveFingerprint(List.of(new ReservationLine("a", "bc", 1)), 1)))
            .as("where sku ends and location begins").isTrue();
    }

    @Test
    void shouldRarelyCollideOverManyDistinctRequests()
    {
        final Set<String> seen = new HashSet<>();
        for (int sku = 0; sku < 2_000; sku++)
        {
            for (int quantity = 1; quantity <= 50; quantity++)
            {
                seen.add(Commands.reserveFingerprint(List.of(new ReservationLine("S" + sku, "L", quantity)), 900));
            }
        }
        assertThat(seen).hasSize(100_000);
    }
}
