package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.ingest.ReservationState;

import java.io.IOException;

/**
 * What a reservation entry processor answers: a code, the record as it now is (null when there is none) and the
 * attempt that record belongs to (0 with none, or unknown).
 */
public final class ReservationResult implements IdentifiedDataSerializable
{
    public enum Code
    {
        /** A new PENDING record was created. */
        CREATED,
        /** A record with this id and the same fingerprint exists. */
        EXISTS,
        /** A record with this id exists for a different request. */
        MISMATCH,
        /** The processor changed the record's phase. */
        TRANSITIONED,
        /** The record already was in the asked-for phase: nothing changed. */
        ALREADY,
        /** The record is in a phase from which the asked-for change is not allowed. */
        NOT_ALLOWED,
        /** The record was HELD but past its expiry: this call made it EXPIRED. */
        EXPIRED_NOW,
        NOT_FOUND
    }

    private static final Code[] CODES = Code.values();

    private Code code;
    private ReservationState state;
    private long attempt;

    public ReservationResult()
    {
    }

    ReservationResult(final Code code, final ReservationState state)
    {
        this(code, state, 0);
    }

    ReservationResult(final Code code, final ReservationState state, final long attempt)
    {
        this.code = code;
        this.state = state;
        this.attempt = attempt;
    }

    /** The attempt whose record {@link #state()} is: its holds carry it. */
    public long attempt()
    {
        return attempt;
    }

    public Code code()
    {
        return code;
    }

    public ReservationState state()
    {
        return state;
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.RESERVATION_RESULT;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeByte(code.ordinal());
        out.writeBoolean(state != null);
        if (state != null)
        {
            ReservationRecord.writeState(out, state);
        }
        out.writeLong(attempt);
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        code = CODES[in.readByte()];
        state = in.readBoolean() ? ReservationRecord.readState(in) : null;
        attempt = in.readLong();
    }

    @Override
    public String toString()
    {
        return "ReservationResult{" + code + ' ' + state + '}';
    }
}
