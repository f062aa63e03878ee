package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.Availability;

import java.io.IOException;
import java.util.Iterator;
import io.stockgrid.ingest.RecoveredState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;

/**
 * The ATP record of one (sku, location), held in one IMap entry and changed only by entry processors on its
 * partition thread. {@code reserved} always equals the sum of the holds; {@code version} rises by one with every
 * change, so journal outcomes from any node can be put back in order.
 */
public final class StockRecord implements IdentifiedDataSerializable
{
    /**
     * Most eventIds/returnIds remembered per key. Past it the oldest are forgotten before their retention ends; at
     * one ERP delta per second per key the default 24 h retention needs 86,400, so size this with the feed rate.
     */
    static final int MAX_SEEN_PER_KEY = 100_000;
    /** Expensive self-checks (sum of holds) run when assertions are on or -Dstockgrid.checks=true. */
    static final boolean CHECKS = Boolean.getBoolean("stockgrid.checks") || StockRecord.class.desiredAssertionStatus();

    private String sku;
    private String location;
    private long onHand;
    private long safetyStock;
    private long reserved;
    private long version;
    /**
     * The earliest expiry of the holds (Long.MAX_VALUE with none), copied from the hold table after every change into
     * a field of its own: the imap engine's leftover-scan predicate reads it through {@link #getEarliestExpiryMs()}
     * from a query thread, which must not walk the table the partition thread may be changing.
     */
    private long earliestExpiryMs = Long.MAX_VALUE;
    /** The holds, in primitive arrays with an exact min-heap of their expiries (see {@link HoldTable}). */
    private final HoldTable holds = new HoldTable();
    private final LinkedHashMap<String, Seen> seen = new LinkedHashMap<>();
    /**
     * Not serialised: true once this member's journal holds the whole record. A record that arrives by migration,
     * backup promotion or restore is a fresh object with this false, so the first change this member makes to it
     * journals the whole record (see {@link StockProcessors.Base}) and the journal never depends on another
     * member's for this key.
     */
    private transient boolean journaledHere;

    /**
     * One reservation's hold on this record, tagged with the attempt (the call) that placed it. A call that failed,
     * or the sweep finishing a call whose member left, releases only its own attempt's holds: by then a retry under
     * the same reservationId may have begun afresh and placed holds of its own, which such a release must not take.
     * Attempt 0 means unknown: restored from the journal, which does not keep attempts (after a restart no call from
     * before it is still running).
     */
    public record Hold(long quantity, long expiresAtMs, long attempt)
    {
    }

    /** A remembered eventId or returnId. */
    public record Seen(long atMs, long fingerprint)
    {
    }

    public StockRecord()
    {
    }

    public StockRecord(final String sku, final String location)
    {
        this.sku = sku;
        this.location = location;
    }

    boolean journaledHere()
    {
        return journaledHere;
    }

    void markJournaledHere()
    {
        journaledHere = true;
    }

    void clearJournaledHere()
    {
        journaledHere = false;
    }

    /** The whole record, as journaled and restored. */
    public RecoveredState.Key snapshot()
    {
        final List<RecoveredState.Hold> h = new ArrayList<>(holds.size());
        for (int no = 0; no < holds.limit(); no++)
        {
            if (holds.live(no))
            {
                h.add(new RecoveredState.Hold(holds.id(no), holds.quantity(no), holds.expiresAtMs(no)));
            }
        }
        final List<RecoveredState.SeenRequest> s = new ArrayList<>(seen.size());
        for (final Map.Entry<String, Seen> e : seen.entrySet())
        {
            s.add(new RecoveredState.SeenRequest(e.getKey(), e.getValue().atMs(), e.getValue().fingerprint()));
        }
        return new RecoveredState.Key(sku, location, onHand, safetyStock, version, h, s);
    }

    /** A record equal to a journaled snapshot. */
    public static StockRecord of(final RecoveredState.Key key)
    {
        final StockRecord record = new StockRecord(key.sku(), key.location());
        record.onHand = key.onHand();
        record.safetyStock = key.safetyStock();
        record.version = key.version();
        for (final RecoveredState.Hold hold : key.holds())
        {
            record.addHold(hold.reservationId(), hold.quantity(), hold.expiresAtMs(), 0);
        }
        for (final RecoveredState.SeenRequest seen : key.seen())
        {
            record.seen.put(seen.id(), new Seen(seen.atMs(), seen.fingerprint()));
        }
        return record;
    }

    public String getSku()
    {
        return sku;
    }

    public String getLocation()
    {
        return location;
    }

    public long onHand()
    {
        return onHand;
    }

    public long safetyStock()
    {
        return safetyStock;
    }

    public long reserved()
    {
        return reserved;
    }

    public long version()
    {
        return version;
    }

    /** The earliest expiry of the holds (Long.MAX_VALUE with none): the leftover scan's predicate reads it. */
    public long getEarliestExpiryMs()
    {
        return earliestExpiryMs;
    }

    public long available()
    {
        return Availability.available(onHand, reserved, safetyStock);
    }

    public Availability toAvailability()
    {
        return Availability.of(sku, location, onHand, safetyStock, reserved);
    }

    /** A copy of the holds by reservation id, in the table's order (diagnostics, scans, tests: not the hot path). */
    public Map<String, Hold> holds()
    {
        final Map<String, Hold> copy = new LinkedHashMap<>(holds.size() * 2);
        for (int no = 0; no < holds.limit(); no++)
        {
            if (holds.live(no))
            {
                copy.put(holds.id(no), new Hold(holds.quantity(no), holds.expiresAtMs(no), holds.attempt(no)));
            }
        }
        return Collections.unmodifiableMap(copy);
    }

    int holdCount()
    {
        return holds.size();
    }

    public Map<String, Seen> seenRequests()
    {
        return seen;
    }

    void setOnHand(final long onHand)
    {
        this.onHand = onHand;
    }

    void setSafetyStock(final long safetyStock)
    {
        this.safetyStock = safetyStock;
    }

    void setVersion(final long version)
    {
        this.version = version;
    }

    long nextVersion()
    {
        return ++version;
    }

    Hold hold(final String reservationId)
    {
        final int no = holds.find(reservationId);
        return no < 0 ? null : new Hold(holds.quantity(no), holds.expiresAtMs(no), holds.attempt(no));
    }

    void addHold(final String reservationId, final long quantity, final long expiresAtMs)
    {
        addHold(reservationId, quantity, expiresAtMs, 0);
    }

    void addHold(final String reservationId, final long quantity, final long expiresAtMs, final long attempt)
    {
        final int replaced = holds.find(reservationId);
        if (replaced >= 0)
        {
            reserved -= holds.quantity(replaced);
            holds.remove(replaced);
        }
        holds.add(reservationId, quantity, expiresAtMs, attempt);
        reserved += quantity;
        earliestExpiryMs = holds.earliestExpiryMs();
        checkInvariants();
    }

    Hold removeHold(final String reservationId)
    {
        final int no = holds.find(reservationId);
        if (no < 0)
        {
            return null;
        }
        final Hold hold = new Hold(holds.quantity(no), holds.expiresAtMs(no), holds.attempt(no));
        reserved -= hold.quantity();
        holds.remove(no);
        earliestExpiryMs = holds.earliestExpiryMs();
        checkInvariants();
        return hold;
    }

    Seen seen(final String id)
    {
        return seen.get(id);
    }

    /** Remembers an applied eventId/returnId and forgets those past retention (or past the per-key bound). */
    void remember(final String id, final long atMs, final long fingerprint, final long retentionMs)
    {
        seen.put(id, new Seen(atMs, fingerprint));
        final Iterator<Seen> it = seen.values().iterator();
        while (it.hasNext())
        {
            final Seen s = it.next();
            if (seen.size() > MAX_SEEN_PER_KEY || s.atMs() + retentionMs < atMs)
            {
                it.remove();
            }
            else
            {
                break;
            }
        }
    }

    private void checkInvariants()
    {
        if (reserved < 0)
        {
            throw new IllegalStateException(this + ": reserved went negative");
        }
        if (CHECKS)
        {
            long sum = 0;
            long earliest = Long.MAX_VALUE;
            int live = 0;
            for (int no = 0; no < holds.limit(); no++)
            {
                if (holds.live(no))
                {
                    sum += holds.quantity(no);
                    earliest = Math.min(earliest, holds.expiresAtMs(no));
                    live++;
                }
            }
            if (sum != reserved)
            {
                throw new IllegalStateException(this + ": reserved " + reserved + " != sum of holds " + sum);
            }
            if (earliest != earliestExpiryMs || live != holds.size())
            {
                throw new IllegalStateException(this + ": earliest expiry " + earliestExpiryMs + " (scan: " + earliest
                    + "), " + holds.size() + " holds counted, " + live + " found");
            }
        }
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.STOCK_RECORD;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeString(sku);
        out.writeString(location);
        out.writeLong(onHand);
        out.writeLong(safetyStock);
        out.writeLong(version);
        // Holds in the order of their ids: the table's own order depends on its history (a replica rebuilt by
        // migration numbers its holds afresh), and equal records must serialise alike (replica digests compare them).
        final String[] ids = new String[holds.size()];
        final int[] numbers = new int[holds.size()];
        int n = 0;
        for (int no = 0; no < holds.limit(); no++)
        {
            if (holds.live(no))
            {
                ids[n] = holds.id(no);
                numbers[n++] = no;
            }
        }
        final Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
        out.writeInt(n);
        for (final int i : order)
        {
            final int no = numbers[i];
            out.writeString(ids[i]);
            out.writeLong(holds.quantity(no));
            out.writeLong(holds.expiresAtMs(no));
            out.writeLong(holds.attempt(no));
        }
        out.writeInt(seen.size());
        for (final Map.Entry<String, Seen> e : seen.entrySet())
        {
            out.writeString(e.getKey());
            out.writeLong(e.getValue().atMs());
            out.writeLong(e.getValue().fingerprint());
        }
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        sku = in.readString();
        location = in.readString();
        onHand = in.readLong();
        safetyStock = in.readLong();
        version = in.readLong();
        holds.clear();
        reserved = 0;
        earliestExpiryMs = Long.MAX_VALUE;
        final int holdCount = in.readInt();
        for (int i = 0; i < holdCount; i++)
        {
            addHold(in.readString(), in.readLong(), in.readLong(), in.readLong());
        }
        seen.clear();
        final int seenCount = in.readInt();
        for (int i = 0; i < seenCount; i++)
        {
            seen.put(in.readString(), new Seen(in.readLong(), in.readLong()));
        }
    }

    @Override
    public String toString()
    {
        return "StockRecord{" + sku + '@' + location + " v" + version + " onHand=" + onHand + " safety="
            + safetyStock + " reserved=" + reserved + " holds=" + holds.size() + '}';
    }
}
