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

    static AuditResult audit(final Target target, final Workload workload, final Ledger ledger, final long issued,
        final int maxOutstanding) throws InterruptedException
    {
        final int keys = workload.keys;
        final long[] answeredHeld = new long[keys];
        final long[] answeredCommitted = new long[keys];
        final boolean[] uncertain = new boolean[keys];
        int acceptedCount = 0;
        for (long seq = 0; seq < issued; seq++)
        {
            final int bits = ledger.get(seq);
            if ((bits & Ledger.ACCEPTED) != 0)
            {
                acceptedCount++;
            }
            final int[] lineKeys = bits == 0 ? null : workload.keysOf(seq);
            if (lineKeys == null)
            {
                continue;
            }
            final long units = workload.quantity;
            if ((bits & Ledger.ACCEPTED) != 0)
            {
                final boolean settleAnswered = (bits & (Ledger.COMMITTED | Ledger.RELEASED | Ledger.NOT_HELD)) != 0;
                for (final int k : lineKeys)
                {
                    if ((bits & Ledger.RELEASED) != 0 || (bits & Ledger.NOT_HELD) != 0)
                    {
                        continue;
                    }
                    if ((bits & Ledger.COMMITTED) != 0)
                    {
                        answeredCommitted[k] += units;
                    }
                    else
                    {
                        // Held, or a commit/release without an answer: promised either way.
                        answeredHeld[k] += units;
                        uncertain[k] |= (bits & Ledger.SETTLE_SENT) != 0 && !settleAnswered;
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
        final AtomicReferenceArray<BulkCalls.Answer> reservationReads = BulkCalls.run(target, checked,
            maxOutstanding, 60_000 + checked, (i, c) -> new Request(Op.READ_RESERVATION, acceptedSeqs[i], null, 0,
                false, System.nanoTime(), c));
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
            else if (agrees(ledger.get(acceptedSeqs[i]), a.request().reservationStatus))
            {
                present++;
            }
            else
            {
                wrong++;
            }
        }
        return new AuditResult(keys, unreadable, stock * keys, storeHeld, storeCommitted, sumHeld, sumCommitted,
            oversold, oversoldKeys, uncertainKeys, differing, checked, present, missing, wrong,
            unreadableReservations);
    }

    /** Whether a reservation answered "held" may now have {@code status}, given the later answers about it. */
    static boolean agrees(final int bits, final String status)
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
        return status.equals("HELD") || status.equals("EXPIRED");
    }
}
