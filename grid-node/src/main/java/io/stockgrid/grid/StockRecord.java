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
import java.util.Map;
import java.util.TreeMap;

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
     * The first key of {@link #expiryCounts} (Long.MAX_VALUE with no holds), kept in a field of its own: the leftover
     * scan's predicate reads it through {@link #getEarliestExpiryMs()}, which must not walk a TreeMap the partition
     * thread may be changing.
     */
    private long earliestExpiryMs = Long.MAX_VALUE;
    private final LinkedHashMap<String, Hold> holds = new LinkedHashMap<>();
    /**
     * How many holds expire at each instant: the earliest is its first key. Settling the oldest hold first is the
     * common order (orders commit in the order they were placed), and rescanning the holds for the next earliest on
     * each such removal made settling a hot key's backlog quadratic (18% of the partition threads' time with ten
     * thousand holds on the hottest key, in a JFR profile of the benchmark's mix).
     */
    private final TreeMap<Long, Integer> expiryCounts = new TreeMap<>();
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
        for (final Map.Entry<String, Hold> e : holds.entrySet())
        {
            h.add(new RecoveredState.Hold(e.getKey(), e.getValue().quantity(), e.getValue().expiresAtMs()));
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

    public Map<String, Hold> holds()
    {
        return holds;
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
        return holds.get(reservationId);
    }

    void addHold(final String reservationId, final long quantity, final long expiresAtMs)
    {
        addHold(reservationId, quantity, expiresAtMs, 0);
    }

    void addHold(final String reservationId, final long quantity, final long expiresAtMs, final long attempt)
    {
        final Hold replaced = holds.put(reservationId, new Hold(quantity, expiresAtMs, attempt));
        if (replaced != null)
        {
            reserved -= replaced.quantity();
            uncountExpiry(replaced.expiresAtMs());
        }
        reserved += quantity;
        expiryCounts.merge(expiresAtMs, 1, Integer::sum);
        earliestExpiryMs = Math.min(earliestExpiryMs, expiresAtMs);
        checkInvariants();
    }

    Hold removeHold(final String reservationId)
    {
        final Hold hold = holds.remove(reservationId);
        if (hold != null)
        {
            reserved -= hold.quantity();
            uncountExpiry(hold.expiresAtMs());
            checkInvariants();
        }
        return hold;
    }

    private void uncountExpiry(final long expiresAtMs)
    {
        final Integer count = expiryCounts.get(expiresAtMs);
        if (count == null)
        {
            throw new IllegalStateException(this + ": no hold expires at " + expiresAtMs);
        }
        if (count == 1)
        {
            expiryCounts.remove(expiresAtMs);
        }
        else
        {
            expiryCounts.put(expiresAtMs, count - 1);
        }
        earliestExpiryMs = expiryCounts.isEmpty() ? Long.MAX_VALUE : expiryCounts.firstKey();
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
            for (final Hold h : holds.values())
            {
                sum += h.quantity();
            }
            if (sum != reserved)
            {
                throw new IllegalStateException(this + ": reserved " + reserved + " != sum of holds " + sum);
            }
            long counted = 0;
            for (final int count : expiryCounts.values())
            {
                counted += count;
            }
            if (counted != holds.size())
            {
                throw new IllegalStateException(this + ": " + counted + " expiries counted for " + holds.size()
                    + " holds");
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
        out.writeInt(holds.size());
        for (final Map.Entry<String, Hold> e : holds.entrySet())
        {
            out.writeString(e.getKey());
            out.writeLong(e.getValue().quantity());
            out.writeLong(e.getValue().expiresAtMs());
            out.writeLong(e.getValue().attempt());
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
        expiryCounts.clear();
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
