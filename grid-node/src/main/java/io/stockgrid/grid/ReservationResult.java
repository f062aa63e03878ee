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
        CREATED(0),
        /** A record with this id and the same fingerprint exists. */
        EXISTS(1),
        /** A record with this id exists for a different request. */
        MISMATCH(2),
        /** The processor changed the record's phase. */
        TRANSITIONED(3),
        /** The record already was in the asked-for phase: nothing changed. */
        ALREADY(4),
        /** The record is in a phase from which the asked-for change is not allowed. */
        NOT_ALLOWED(5),
        /** The record was HELD but past its expiry: this call made it EXPIRED. */
        EXPIRED_NOW(6),
        NOT_FOUND(7),
        /** No record, and the partition's reservations table is at its capacity: nothing was created. */
        FULL(8);

        /** Codes by value, built once; null where no constant has that code. */
        private static final Code[] BY_CODE = byCode();

        private final int code;

        Code(final int code)
        {
            this.code = code;
        }

        /**
         * The number this code is sent between members as (one byte, 0..127). It is fixed here rather than taken
         * from {@link #ordinal()}, so adding or reordering constants cannot change what a member of the previous
         * build means by it. The codes are the ordinals they replaced; never reuse one.
         */
        public int code()
        {
            return code;
        }

        /** The constant with this {@link #code()}; an unknown code (a damaged stream, a newer build) is refused. */
        public static Code of(final int code)
        {
            final Code found = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
            if (found == null)
            {
                throw new IllegalArgumentException("unknown ReservationResult.Code code " + code);
            }
            return found;
        }

        private static Code[] byCode()
        {
            final Code[] byCode = new Code[Byte.MAX_VALUE + 1];
            for (final Code c : values())
            {
                if (c.code < 0 || c.code > Byte.MAX_VALUE || byCode[c.code] != null)
                {
                    throw new IllegalStateException("ReservationResult.Code code " + c.code + " of " + c
                        + " is out of range or taken");
                }
                byCode[c.code] = c;
            }
            return byCode;
        }
    }

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
        out.writeByte(code.code());
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
        code = Code.of(in.readByte());
        state = in.readBoolean() ? ReservationRecord.readState(in) : null;
        attempt = in.readLong();
    }

    @Override
    public String toString()
    {
        return "ReservationResult{" + code + ' ' + state + '}';
    }
}
