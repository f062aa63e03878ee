package io.stockgrid.bench.load;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The final check of a run, from outside, through the same target: read every SKU-location's onHand and reserved,
 * and every reservation that was answered "held", and compare them with the answers the generator recorded.
 */
final class StoreAudit
{
    private StoreAudit()
    {
    }

    /**
     * @param expiryPossible whether the run lasted longer than the TTL, so that a reservation answered "held" may
     *                       have expired since (its units then count as given back).
     */
    static AuditResult audit(final Target target, final Workload workload, final Ledger live, final long issued,
        final int maxOutstanding, final boolean expiryPossible) throws InterruptedException
    {
        // Late answers (past the drain's timeout) may still arrive: audit the answers as they were when it began. A
        // reservation answered after that counts as unanswered (in doubt), as it was when the load stopped.
        final Ledger ledger = live.copy();
        int acceptedCount = 0;
        for (long seq = 0; seq < issued; seq++)
        {
            acceptedCount += (ledger.get(seq) & Ledger.ACCEPTED) != 0 ? 1 : 0;
        }
        final long[] acceptedSeqs = new long[acceptedCount];
        int n = 0;
        for (long seq = 0; seq < issued && n < acceptedCount; seq++)
        {
            if ((ledger.get(seq) & Ledger.ACCEPTED) != 0)
            {
                acceptedSeqs[n++] = seq;
            }
        }
        final int checked = n;

        // Every reservation answered "held", read back first: its status says whether it expired.
        final AtomicReferenceArray<BulkCalls.Answer> reservationReads = BulkCalls.run(target, checked,
            maxOutstanding, 60_000 + checked, (i, c) -> new Request(Op.READ_RESERVATION, acceptedSeqs[i], null, 0,
                false, System.nanoTime(), c));
        final String[] statuses = new String[checked];
        long present = 0;
        long missing = 0;
        long wrong = 0;
        long unreadableReservations = 0;
        for (int i = 0; i < checked; i++)
        {
            final BulkCalls.Answer a = reservationReads.get(i);
            if (a == null || a.outcome() == Outcome.ERROR || a.outcome() == Outcome.DROPPED)
            {
                unreadableReservations++;
            }
            else if (a.outcome() == Outcome.REJECTED)
            {
                missing++;
            }
            else if (agrees(ledger.get(acceptedSeqs[i]), a.request().reservationStatus, expiryPossible))
            {
                statuses[i] = a.request().reservationStatus;
                present++;
            }
            else
            {
                wrong++;
            }
        }

        // The units the answers promised, per SKU-location.
        final int keys = workload.keys;
        final long[] answeredHeld = new long[keys];
        final long[] answeredCommitted = new long[keys];
        final boolean[] uncertain = new boolean[keys];
        int next = 0;
        for (long seq = 0; seq < issued; seq++)
        {
            final int bits = ledger.get(seq);
            if (bits == 0)
            {
                continue;
            }
            final int[] lineKeys = workload.keysOf(seq);
            final long units = workload.quantity;
            if ((bits & Ledger.ACCEPTED) != 0)
            {
                final String status = statuses[next++];
                if ((bits & (Ledger.RELEASED | Ledger.NOT_HELD)) != 0)
                {
                    continue;
                }
                final boolean committed = (bits & Ledger.COMMITTED) != 0;
                if (!committed && expiryPossible && "EXPIRED".equals(status) && (bits & Ledger.SETTLE_SENT) == 0)
                {
                    // Held, then expired: its units went back to availability.
                    continue;
                }
                final boolean settleUnanswered = (bits & Ledger.SETTLE_SENT) != 0 && !committed;
                for (final int k : lineKeys)
                {
                    if (committed)
                    {
                        answeredCommitted[k] += units;
                    }
                    else
                    {
                        // Held, or a commit/release without an answer: promised either way.
                        answeredHeld[k] += units;
                        uncertain[k] |= settleUnanswered;
                    }
                }
            }
            else if ((bits & Ledger.RESERVE_SENT) != 0 && (bits & Ledger.REJECTED) == 0)
            {
                for (final int k : lineKeys)
                {
                    uncertain[k] = true;
                }
            }
        }

        final long stock = workload.initialStock;
        final AtomicReferenceArray<BulkCalls.Answer> stockReads = BulkCalls.run(target, keys, maxOutstanding,
            60_000 + keys, (i, c) -> new Request(Op.READ_STOCK, i, null, 0, false, System.nanoTime(), c));
        int unreadable = 0;
        int oversoldKeys = 0;
        int uncertainKeys = 0;
        int differing = 0;
        long oversold = 0;
        long storeHeld = 0;
        long storeCommitted = 0;
        long sumHeld = 0;
        long sumCommitted = 0;
        for (int k = 0; k < keys; k++)
        {
            sumHeld += answeredHeld[k];
            sumCommitted += answeredCommitted[k];
            uncertainKeys += uncertain[k] ? 1 : 0;
            final BulkCalls.Answer a = stockReads.get(k);
            if (a == null || a.outcome() != Outcome.ACCEPTED)
            {
                unreadable++;
                continue;
            }
            final long held = a.request().reserved;
            final long committed = stock - a.request().onHand;
            storeHeld += held;
            storeCommitted += committed;
            final long taken = Math.max(held + committed, answeredHeld[k] + answeredCommitted[k]);
            if (taken > stock)
            {
                oversold += taken - stock;
                oversoldKeys++;
            }
            if (!uncertain[k] && (held != answeredHeld[k] || committed != answeredCommitted[k]))
            {
                differing++;
            }
        }
        return new AuditResult(keys, unreadable, stock * keys, storeHeld, storeCommitted, sumHeld, sumCommitted,
            oversold, oversoldKeys, uncertainKeys, differing, checked, present, missing, wrong,
            unreadableReservations);
    }

    /** Whether a reservation answered "held" may now have {@code status}, given the later answers about it. */
    static boolean agrees(final int bits, final String status, final boolean expiryPossible)
    {
        if (status == null)
        {
            return false;
        }
        if ((bits & Ledger.COMMITTED) != 0)
        {
            return status.equals("COMMITTED");
        }
        if ((bits & Ledger.RELEASED) != 0)
        {
            return status.equals("RELEASED");
        }
        if ((bits & Ledger.NOT_HELD) != 0)
        {
            return !status.equals("HELD") && !status.equals("REJECTED");
        }
        if ((bits & Ledger.SETTLE_SENT) != 0)
        {
            return !status.equals("REJECTED");
        }
        return status.equals("HELD") || expiryPossible && status.equals("EXPIRED");
    }
}
