package io.stockgrid.grid;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.AbstractMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Randomised interleavings of everything that acts on one reservationId, run on the real entry processors over plain
 * map entries: calls (attempts) that begin, hold two lines and finish; calls that fail part-way and compensate on the
 * view they read; the sweep forgetting a reservation on a snapshot read earlier; the leftover scan returning a hold
 * it saw overdue; and clients retrying the same id with a new attempt whenever theirs did not end in HELD. Every step
 * of every actor is a separate atomic step, so any actor may act late, on a stale view, after others have moved on.
 * After every step: a HELD record's units are held on every line by the record's own attempt, an acknowledged HELD
 * stays HELD with its units, and at most one attempt is ever acknowledged. (A split brain once broke the first: a
 * stale release by reservationId took a retry's hold.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AttemptFencingTest
{
    private static final String ID = "res-1";
    private static final int TTL_MS = 1_000;
    private static final List<StockKey> KEYS = List.of(new StockKey("S1", "L1"), new StockKey("S2", "L1"));
    private static final List<ReservationLine> LINES = List.of(new ReservationLine("S1", "L1", 1),
        new ReservationLine("S2", "L1", 1));

    /** One actor: a sequence of atomic steps, each run when the scheduler picks the actor. */
    private interface Actor
    {
        /** Runs one step; false when the actor has nothing more to do. */
        boolean step();
    }

    private final Map.Entry<String, ReservationRecord> reservation = new AbstractMap.SimpleEntry<>(ID, null);
    private final List<Map.Entry<StockKey, StockRecord>> stock = new ArrayList<>();
    private long nowMs = 1_000_000;
    private long nextAttempt = 1;
    private long acknowledged;
    private int acknowledgements;
    private final List<String> trace = new ArrayList<>();

    /** Each seed runs this many episodes: one reservationId from its first call until every actor is done. */
    private static final int EPISODES = 300;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void noStaleActorTakesTheUnitsOfTheAttemptThatHolds(final long seed)
    {
        final Random random = new Random(seed);
        int acknowledgedEpisodes = 0;
        for (int episode = 0; episode < EPISODES; episode++)
        {
            reservation.setValue(null);
            stock.clear();
            acknowledgements = 0;
            trace.clear();
            trace.add("episode " + episode);
            runEpisode(seed * 1_000 + episode, random);
            acknowledgedEpisodes += acknowledgements;
        }
        assertThat(acknowledgedEpisodes).as("seed %d: episodes that ended HELD", seed).isPositive();
    }

    private void runEpisode(final long seed, final Random random)
    {
        for (final StockKey key : KEYS)
        {
            final Map.Entry<StockKey, StockRecord> entry = new AbstractMap.SimpleEntry<>(key, null);
            new StockProcessors.SetStock(100, 0).process(entry);
            stock.add(entry);
        }
        final List<Actor> actors = new ArrayList<>();
        int calls = 0;
        for (int step = 0; step < 300; step++)
        {
            nowMs += random.nextInt(3);
            final int roll = random.nextInt(100);
            if ((actors.isEmpty() || roll < 8) && calls < 20 && acknowledgements == 0)
            {
                actors.add(new Call(nextAttempt++, random));
                calls++;
            }
            else if (roll < 12)
            {
                final ReservationRecord seen = reservation.getValue();
                if (seen != null && seen.phase() == ReservationPhase.PENDING)
                {
                    actors.add(orphanSweep(seen)); // acts later, on what it read now
                }
            }
            else if (roll < 15)
            {
                leftoverScan(actors);
            }
            else if (roll < 22)
            {
                expirySweep(actors);
            }
            else if (!actors.isEmpty())
            {
                final int pick = random.nextInt(actors.size());
                if (!actors.get(pick).step())
                {
                    actors.remove(pick);
                }
            }
            check(seed, step);
        }
        // Let every actor finish, in random order.
        while (!actors.isEmpty())
        {
            final int pick = random.nextInt(actors.size());
            if (!actors.get(pick).step())
            {
                actors.remove(pick);
            }
            check(seed, -1);
        }
        // Late holds of forgotten attempts are returned by the leftover scan once overdue.
        nowMs += 10 * TTL_MS;
        final List<Actor> scans = new ArrayList<>();
        leftoverScan(scans);
        scans.forEach(scan ->
        {
            while (scan.step())
            {
                check(seed, -2);
            }
        });
        final ReservationRecord end = reservation.getValue();
        final boolean held = end != null && end.phase() == ReservationPhase.HELD;
        for (final Map.Entry<StockKey, StockRecord> entry : stock)
        {
            assertThat(entry.getValue().reserved()).as("seed %d: %s at the end (record %s)", seed, entry.getKey(),
                end).isEqualTo(held ? 1 : 0);
        }
        assertThat(calls).as("seed %d made calls", seed).isPositive();
    }

    private void check(final long seed, final int step)
    {
        final ReservationRecord record = reservation.getValue();
        if (acknowledgements > 1)
        {
            failWith(seed, step, "two attempts acknowledged HELD");
        }
        if (acknowledgements == 1 && (record == null || record.attempt() != acknowledged
            || (record.phase() != ReservationPhase.HELD && record.phase() != ReservationPhase.EXPIRED)))
        {
            failWith(seed, step, "acknowledged HELD attempt " + acknowledged + " lost its record: " + record);
        }
        if (record != null && record.phase() == ReservationPhase.HELD)
        {
            for (final Map.Entry<StockKey, StockRecord> entry : stock)
            {
                final StockRecord.Hold hold = entry.getValue().hold(ID);
                if (hold == null || hold.attempt() != record.attempt())
                {
                    failWith(seed, step, "HELD by attempt " + record.attempt() + " but " + entry.getKey() + " holds "
                        + hold);
                }
            }
        }
    }

    private void failWith(final long seed, final int step, final String what)
    {
        final List<String> last = trace.subList(Math.max(0, trace.size() - 40), trace.size());
        fail("case " + seed + " (seed x 1000 + episode), step " + step + ": " + what + "\nlast steps:\n  " + String.join("\n  ", last));
    }

    /** A reserve call as ReserveBatcher makes it, which may fail part-way at any step and then compensate. */
    private final class Call implements Actor
    {
        private final long attempt;
        private final Random random;
        private final long expiresAtMs;
        private final Deque<Runnable> steps = new ArrayDeque<>();
        private final boolean[] held = new boolean[KEYS.size()];
        private boolean conflict;
        private boolean failed;

        Call(final long attempt, final Random random)
        {
            this.attempt = attempt;
            this.random = random;
            this.expiresAtMs = nowMs + (random.nextBoolean() ? TTL_MS : random.nextInt(TTL_MS / 20)); // some expire
            steps.add(this::begin);
        }

        @Override
        public boolean step()
        {
            if (steps.isEmpty())
            {
                return false;
            }
            if (!failed && random.nextInt(12) == 0)
            {
                // The batch fails here (a member left, a backup did not answer): forget the record if it is still
                // this call's PENDING one, then return this attempt's holds unless its outcome was recorded.
                failed = true;
                steps.clear();
                steps.add(() ->
                {
                    final ReservationResult.Code abandoned = abandon("compensation");
                    final ReservationRecord now = reservation.getValue();
                    if (abandoned == ReservationResult.Code.TRANSITIONED || now == null || now.attempt() != attempt)
                    {
                        releaseOwnHolds();
                    }
                });
                return true;
            }
            steps.poll().run();
            return !steps.isEmpty();
        }

        private void begin()
        {
            final ReservationState pending = new ReservationState(ID, ReservationPhase.PENDING, null, 1, nowMs,
                expiresAtMs, expiresAtMs + 60_000, "fp", null, LINES, List.of());
            final ReservationResult r = new ReservationProcessors.Begin(pending, nowMs, "node-" + (attempt % 3),
                attempt).process(reservation);
            trace.add("attempt " + attempt + " begin: " + r.code());
            if (r.code() == ReservationResult.Code.CREATED)
            {
                for (int i = 0; i < KEYS.size(); i++)
                {
                    final int line = i;
                    steps.add(() -> hold(line));
                }
                steps.add(this::finish);
            }
        }

        private void hold(final int line)
        {
            final KeyResult r = new StockProcessors.Hold(ID, 1, expiresAtMs, attempt).process(stock.get(line));
            trace.add("attempt " + attempt + " hold line " + line + ": " + r.code());
            switch (r.code())
            {
                case APPLIED, ALREADY_HELD -> held[line] = true;
                case CONFLICT -> conflict = true;
                default -> throw new IllegalStateException("unexpected " + r.code());
            }
        }

        private void finish()
        {
            if (conflict)
            {
                releaseOwnHolds();
                steps.add(() -> abandon("conflict"));
                return;
            }
            final ReservationResult r = new ReservationProcessors.Finish(ReservationPhase.HELD, List.of(), nowMs,
                attempt).process(reservation);
            trace.add("attempt " + attempt + " finish: " + r.code());
            if (r.code() == ReservationResult.Code.TRANSITIONED)
            {
                acknowledged = attempt;
                acknowledgements++;
            }
            else
            {
                releaseOwnHolds(); // lapsed: hand back what this attempt holds
            }
        }

        private ReservationResult.Code abandon(final String why)
        {
            final ReservationResult.Code code = new ReservationProcessors.Abandon(attempt).process(reservation).code();
            trace.add("attempt " + attempt + " " + why + " abandons: " + code);
            return code;
        }

        private void releaseOwnHolds()
        {
            for (int i = 0; i < KEYS.size(); i++)
            {
                final int line = i;
                steps.add(() -> trace.add("attempt " + attempt + " releases line " + line + ": "
                    + StockProcessors.ReleaseHold.ofAttempt(ID, KeyEffect.Kind.RELEASE, attempt)
                    .process(stock.get(line)).code()));
            }
        }
    }

    /**
     * The sweep forgetting a PENDING reservation whose member left, acting on the record as it read it: the record
     * first, then (if it forgot it) that attempt's holds.
     */
    private Actor orphanSweep(final ReservationRecord seen)
    {
        final Deque<Runnable> steps = new ArrayDeque<>();
        steps.add(() ->
        {
            final ReservationResult.Code code = new ReservationProcessors.Abandon(seen.attempt())
                .process(reservation).code();
            trace.add("sweep (read attempt " + seen.attempt() + ") abandons: " + code);
            if (code == ReservationResult.Code.TRANSITIONED)
            {
                for (int i = 0; i < KEYS.size(); i++)
                {
                    final int line = i;
                    steps.add(() -> trace.add("sweep (read attempt " + seen.attempt() + ") releases line " + line
                        + ": " + StockProcessors.ReleaseHold.ofAttempt(ID, KeyEffect.Kind.RELEASE, seen.attempt())
                        .process(stock.get(line)).code()));
                }
            }
        });
        return () ->
        {
            steps.poll().run();
            return !steps.isEmpty();
        };
    }

    /**
     * The expiry sweep: a reservation past its expiry is fenced (EXPIRED) first, then the holds of the attempt the
     * record belonged to are returned, later, as separate steps. One that expired while PENDING may be begun afresh
     * at once (nobody was answered).
     */
    private void expirySweep(final List<Actor> actors)
    {
        final ReservationRecord record = reservation.getValue();
        if (record == null || !record.phase().holdsStock() || nowMs < record.state().expiresAtMs())
        {
            return;
        }
        final Deque<Runnable> steps = new ArrayDeque<>();
        steps.add(() ->
        {
            final ReservationResult expired = new ReservationProcessors.Expire(nowMs).process(reservation);
            trace.add("expiry sweep expires: " + expired.code() + " (attempt " + expired.attempt() + ")");
            if (expired.code() == ReservationResult.Code.TRANSITIONED)
            {
                for (int i = 0; i < KEYS.size(); i++)
                {
                    final int line = i;
                    steps.add(() -> trace.add("expiry sweep releases line " + line + ": "
                        + StockProcessors.ReleaseHold.ofAttempt(ID, KeyEffect.Kind.EXPIRE, expired.attempt())
                        .process(stock.get(line)).code()));
                }
            }
        });
        actors.add(() ->
        {
            steps.poll().run();
            return !steps.isEmpty();
        });
    }

    /**
     * The leftover scan: reads which holds are overdue now, and later returns each if it is still overdue by that
     * cutoff (it skips a reservation whose record still holds stock, as the sweep does).
     */
    private void leftoverScan(final List<Actor> actors)
    {
        final long cutoffMs = nowMs - TTL_MS / 2;
        for (int i = 0; i < KEYS.size(); i++)
        {
            final StockRecord.Hold hold = stock.get(i).getValue().hold(ID);
            if (hold == null || hold.expiresAtMs() > cutoffMs)
            {
                continue;
            }
            final int line = i;
            actors.add(() ->
            {
                final ReservationRecord record = reservation.getValue();
                if (record == null || !record.phase().holdsStock())
                {
                    trace.add("leftover scan releases line " + line + ": " + StockProcessors.ReleaseHold.ifOverdue(ID,
                        KeyEffect.Kind.EXPIRE, cutoffMs).process(stock.get(line)).code());
                }
                return false;
            });
        }
    }
}
