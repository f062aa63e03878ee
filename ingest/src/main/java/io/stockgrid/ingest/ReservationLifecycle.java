package io.stockgrid.ingest;

/**
 * A reservation's life cycle as one table: which step moves a record from which phase to which. The grid's
 * processors check every change they store against it, replay checks consecutive journaled states against it, and
 * the tests read it; nothing else says which phase may follow which.
 * <pre>
 *   from \ step   BEGIN     FINISH_HELD  FINISH_REJECTED  COMMIT     RELEASE   EXPIRE
 *   (none)        PENDING   -            -                -          -         -
 *   PENDING       -         HELD         REJECTED         -          -         EXPIRED
 *   HELD          -         -            -                COMMITTED  RELEASED  EXPIRED
 *   COMMITTED     PENDING*  -            -                -          -         -
 *   RELEASED      PENDING*  -            -                -          -         -
 *   EXPIRED       PENDING*  -            -                -          -         -
 *   REJECTED      PENDING*  -            -                -          -         -
 * </pre>
 * (*) An ended record is begun afresh only once its retention has passed, or if it ended without its creating call
 * ever being answered: the {@code Begin} processor decides that; the table says the phase change is one the life
 * cycle has. Forgetting a PENDING record ({@code Abandon}, the sweep) removes it: no phase follows.
 */
public final class ReservationLifecycle
{
    /** What moves a reservation record from one phase to the next. */
    public enum Step
    {
        BEGIN, FINISH_HELD, FINISH_REJECTED, COMMIT, RELEASE, EXPIRE
    }

    private static final int NONE = 0;
    /** [1 + phase code, or NONE for no record][step ordinal] -> the phase that follows, or null. */
    private static final ReservationPhase[][] NEXT = table();

    private ReservationLifecycle()
    {
    }

    private static ReservationPhase[][] table()
    {
        int maxCode = 0;
        for (final ReservationPhase p : ReservationPhase.values())
        {
            maxCode = Math.max(maxCode, p.code());
        }
        final ReservationPhase[][] next = new ReservationPhase[maxCode + 2][Step.values().length];
        next[NONE][Step.BEGIN.ordinal()] = ReservationPhase.PENDING;
        set(next, ReservationPhase.PENDING, Step.FINISH_HELD, ReservationPhase.HELD);
        set(next, ReservationPhase.PENDING, Step.FINISH_REJECTED, ReservationPhase.REJECTED);
        set(next, ReservationPhase.PENDING, Step.EXPIRE, ReservationPhase.EXPIRED);
        set(next, ReservationPhase.HELD, Step.COMMIT, ReservationPhase.COMMITTED);
        set(next, ReservationPhase.HELD, Step.RELEASE, ReservationPhase.RELEASED);
        set(next, ReservationPhase.HELD, Step.EXPIRE, ReservationPhase.EXPIRED);
        for (final ReservationPhase ended : ReservationPhase.values())
        {
            if (!ended.holdsStock())
            {
                set(next, ended, Step.BEGIN, ReservationPhase.PENDING);
            }
        }
        return next;
    }

    private static void set(final ReservationPhase[][] next, final ReservationPhase from, final Step step,
        final ReservationPhase to)
    {
        next[1 + from.code()][step.ordinal()] = to;
    }

    /** The phase {@code step} moves a record in phase {@code from} (null: no record) to; null if it cannot. */
    public static ReservationPhase next(final ReservationPhase from, final Step step)
    {
        return NEXT[from == null ? NONE : 1 + from.code()][step.ordinal()];
    }

    /**
     * True if some step moves a record in phase {@code from} (null: no record) to {@code to}, or if the phase stays
     * (a rewrite that only notes something, such as a Finish run again).
     */
    public static boolean mayFollow(final ReservationPhase from, final ReservationPhase to)
    {
        if (from == to)
        {
            return from != null;
        }
        final ReservationPhase[] row = NEXT[from == null ? NONE : 1 + from.code()];
        for (final ReservationPhase p : row)
        {
            if (p == to)
            {
                return true;
            }
        }
        return false;
    }

    /** Refuses a change the life cycle does not have; the message names the record and both phases. */
    public static void check(final String reservationId, final ReservationPhase from, final ReservationPhase to)
    {
        if (!mayFollow(from, to))
        {
            throw new IllegalStateException(notAStep(reservationId, from == null ? "(none)" : from.toString(),
                to.toString()));
        }
    }

    /**
     * The one wording of a change that is no step, for the grid's refusal and replay's report alike: the record, and
     * what it was and became (a phase, or a version and its phase).
     */
    public static String notAStep(final String reservationId, final String from, final String to)
    {
        return "reservation " + reservationId + ": " + from + " -> " + to
            + " is not a step of the reservation life cycle";
    }
}
