package io.stockgrid.grid;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.Availability;
import io.stockgrid.ingest.KeyEffect;

import java.io.IOException;

/**
 * What a stock entry processor answers: a result code, the record's scalars after it ran (its after-image), and
 * the quantity it moved. {@code changed} is false when the processor left the record as it was.
 */
public final class KeyResult implements IdentifiedDataSerializable
{
    public enum Code
    {
        APPLIED(0),
        DUPLICATE(1),
        NEGATIVE_STOCK(2),
        STOCK_LIMIT(3),
        FINGERPRINT_MISMATCH(4),
        /** A hold for this reservation was already on the record (a retried or re-executed hold). */
        ALREADY_HELD(5),
        /**
         * A hold for this reservation, placed by another attempt, is on the record: an earlier call under the same
         * reservationId that has not yet returned it. Nothing changed; the caller gives up and is retried later.
         */
        CONFLICT(6),
        /** Not enough available to hold; {@code quantity} is what was available. */
        SHORT(7),
        /** No hold for this reservation on the record: nothing to release or commit. */
        NO_HOLD(8);

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
                throw new IllegalArgumentException("unknown KeyResult.Code code " + code);
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
                    throw new IllegalStateException("KeyResult.Code code " + c.code + " of " + c
                        + " is out of range or taken");
                }
                byCode[c.code] = c;
            }
            return byCode;
        }
    }

    private Code code;
    private boolean changed;
    private long version;
    private long onHand;
    private long safetyStock;
    private long reserved;
    private long quantity;

    public KeyResult()
    {
    }

    KeyResult(final Code code, final boolean changed, final StockRecord record, final long quantity)
    {
        this.code = code;
        this.changed = changed;
        this.version = record == null ? 0 : record.version();
        this.onHand = record == null ? 0 : record.onHand();
        this.safetyStock = record == null ? 0 : record.safetyStock();
        this.reserved = record == null ? 0 : record.reserved();
        this.quantity = quantity;
    }

    public Code code()
    {
        return code;
    }

    public boolean changed()
    {
        return changed;
    }

    public long version()
    {
        return version;
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

    public long quantity()
    {
        return quantity;
    }

    public Availability availability(final String sku, final String location)
    {
        return Availability.of(sku, location, onHand, safetyStock, reserved);
    }

    /** The change this result records, as the journal and the event feed see it (the record's after-image). */
    KeyEffect effect(final String sku, final String location, final KeyEffect.Kind kind, final String ref,
        final long quantity, final long expiresAtMs, final long atMs)
    {
        return new KeyEffect(sku, location, version, onHand, safetyStock, reserved, kind, ref, quantity, expiresAtMs,
            atMs);
    }

    @Override
    public int getFactoryId()
    {
        return GridSerializers.FACTORY_ID;
    }

    @Override
    public int getClassId()
    {
        return GridSerializers.KEY_RESULT;
    }

    @Override
    public void writeData(final ObjectDataOutput out) throws IOException
    {
        out.writeByte(code.code());
        out.writeBoolean(changed);
        out.writeLong(version);
        out.writeLong(onHand);
        out.writeLong(safetyStock);
        out.writeLong(reserved);
        out.writeLong(quantity);
    }

    @Override
    public void readData(final ObjectDataInput in) throws IOException
    {
        code = Code.of(in.readByte());
        changed = in.readBoolean();
        version = in.readLong();
        onHand = in.readLong();
        safetyStock = in.readLong();
        reserved = in.readLong();
        quantity = in.readLong();
    }

    @Override
    public String toString()
    {
        return "KeyResult{" + code + " v" + version + " onHand=" + onHand + " reserved=" + reserved + " q=" + quantity
            + '}';
    }
}
