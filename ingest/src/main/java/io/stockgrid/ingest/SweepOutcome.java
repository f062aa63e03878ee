package io.stockgrid.ingest;

import java.util.List;

/**
 * The result of one expiry sweep: reservations that became EXPIRED, and every stock change the sweep made (holds
 * released by expiry, and holds of half-done commits or releases completed).
 */
public record SweepOutcome(List<ReservationState> transitions, List<KeyEffect> effects)
{
    public static final SweepOutcome EMPTY = new SweepOutcome(List.of(), List.of());

    public boolean isEmpty()
    {
        return transitions.isEmpty() && effects.isEmpty();
    }
}
