package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A reservation's lines that also name the caller (API key id) who asked for them. The grid builds a new
 * reservation's {@link ReservationState} from the command's parts with the constructor that predates
 * {@code createdBy}; carrying the caller with the lines lets that constructor keep it without a change to the grid's
 * reservation flow. Immutable; equal to any list of the same lines.
 */
final class CallerLines extends AbstractList<ReservationLine> implements RandomAccess
{
    private final List<ReservationLine> lines;
    private final String caller;

    private CallerLines(final List<ReservationLine> lines, final String caller)
    {
        this.lines = lines;
        this.caller = caller;
    }

    /** {@code lines} carrying {@code caller}; the lines themselves when there is no caller. */
    static List<ReservationLine> of(final List<ReservationLine> lines, final String caller)
    {
        if (caller == null)
        {
            return lines;
        }
        final List<ReservationLine> plain = lines instanceof CallerLines c ? c.lines : List.copyOf(lines);
        return new CallerLines(plain, caller);
    }

    /** The caller the lines carry, or null. */
    static String callerOf(final List<ReservationLine> lines)
    {
        return lines instanceof CallerLines c ? c.caller : null;
    }

    @Override
    public ReservationLine get(final int index)
    {
        return lines.get(index);
    }

    @Override
    public int size()
    {
        return lines.size();
    }
}
