package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ShortLine;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A reservation and its idempotency memory, keyed by reservationId in the {@code reservations} map. Its phase is
 * decided only by entry processors on its own partition, so commit, release and expiry cannot both win.
 */
public final class ReservationRecord implements IdentifiedDataSerializable
{
    private ReservationState state;
    /**
     * While PENDING: the stable node id of the member whose call is making it (null when unknown, e.g. restored).
     * If that member leaves the cluster, nobody will finish it (see {@link HazelcastInventoryService}'s sweep). Not
     * journaled: it means nothing after a restart.
     */
    private String coordinator;
    /**
     * The attempt (the call) that began this record, and whose holds are the reservation's: a random tag, 0 when
     * unknown (restored). Not journaled, for the same reason as {@link #coordinator}.
     */
    private long attempt;

    public ReservationRecord()
    {
    }

    public ReservationRecord(final ReservationState state)
    {
        this.state = state;
    }

    ReservationRecord(final ReservationState state, final String coordinator, final long attempt)
    {
        this.state = state;
        this.coordinator = coordinator;
        this.attempt = attempt;
    }

    String coordinator()
    {
        return coordinator;
    }

    long attempt()
    {
        return attempt;
    }

    /** A predicate attribute (not indexed): when a PENDING reservation began, else never. */
    public long getPendingSinceMs()
    {
        return state.phase() == ReservationPhase.PENDING ? state.createdAtMs() : Long.MAX_VALUE;
    }

    public ReservationState state()
    {
        return state;
    }

    public ReservationPhase phase()
    {
        return state.phase();
    }

    /**
     * Indexed (SORTED) for the expiry sweep: the expiry of a reservation that may still hold stock, else never.
     */
    public long getHeldUntilMs()
    {
        return state.phase().holdsStock() ? state.expiresAtMs() : Long.MAX_VALUE;
    }

    ReservationRecord with(final ReservationPhase phase, final ReservationPhase firstOutcome,
        final List<ShortLine> shortLines)
    {
        final ReservationState s = state;
        return new ReservationRecord(new ReservationState(s.reservationId(), phase, firstOutcome, s.version() + 1,
            s.createdAtMs(), s.expiresAtMs(), s.retainUntilMs(), s.fingerprint(), s.correlationId(), s.lines(),
            shortLines, s.createdBy()), null, attempt);
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.RESERVATION_RECORD;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        writeState(out, state);
        out.writeString(coordinator);
        out.writeLong(attempt);
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        state = readState(in);
        coordinator = in.readString();
        attempt = in.readLong();
    }

    static void writeState(final ObjectDataOutput out, final ReservationState s) throws IOException
    {
        out.writeString(s.reservationId());
        out.writeByte(s.phase().code());
        out.writeByte(s.firstOutcome() == null ? -1 : s.firstOutcome().code());
        out.writeLong(s.version());
        out.writeLong(s.createdAtMs());
        out.writeLong(s.expiresAtMs());
        out.writeLong(s.retainUntilMs());
        out.writeString(s.fingerprint());
        out.writeString(s.correlationId());
        // Indexed loops: an iterator over these immutable lists was a sixth of the node's sampled allocation.
        final List<ReservationLine> lines = s.lines();
        out.writeInt(lines.size());
        for (int i = 0; i < lines.size(); i++)
        {
            final ReservationLine line = lines.get(i);
            out.writeString(line.sku());
            out.writeString(line.location());
            out.writeLong(line.quantity());
        }
        final List<ShortLine> shortLines = s.shortLines();
        out.writeInt(shortLines.size());
        for (int i = 0; i < shortLines.size(); i++)
        {
            final ShortLine line = shortLines.get(i);
            out.writeString(line.sku());
            out.writeString(line.location());
            out.writeLong(line.quantity());
            out.writeLong(line.available());
        }
        // Last, so that the layout before it is unchanged: the API key id of the call that created it (null: none).
        out.writeString(s.createdBy());
    }

    static ReservationState readState(final ObjectDataInput in) throws IOException
    {
        final String id = in.readString();
        final ReservationPhase phase = ReservationPhase.of(in.readByte());
        final byte first = in.readByte();
        final long version = in.readLong();
        final long createdAtMs = in.readLong();
        final long expiresAtMs = in.readLong();
        final long retainUntilMs = in.readLong();
        final String fingerprint = in.readString();
        final String correlationId = in.readString();
        final int lineCount = in.readInt();
        final List<ReservationLine> lines = new ArrayList<>(lineCount);
        for (int i = 0; i < lineCount; i++)
        {
            lines.add(new ReservationLine(in.readString(), in.readString(), in.readLong()));
        }
        final int shortCount = in.readInt();
        final List<ShortLine> shortLines = new ArrayList<>(shortCount);
        for (int i = 0; i < shortCount; i++)
        {
            shortLines.add(new ShortLine(in.readString(), in.readString(), in.readLong(), in.readLong()));
        }
        final String createdBy = in.readString();
        return new ReservationState(id, phase, first < 0 ? null : ReservationPhase.of(first), version, createdAtMs,
            expiresAtMs, retainUntilMs, fingerprint, correlationId, List.copyOf(lines), List.copyOf(shortLines),
            createdBy);
    }

    @Override
    public String toString()
    {
        return "ReservationRecord{" + state.reservationId() + ' ' + state.phase() + " v" + state.version() + '}';
    }
}
