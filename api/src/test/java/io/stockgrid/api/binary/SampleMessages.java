package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Limits;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ReturnDisposition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Valid messages of every type (as bytes, without the frame's length field), and a canonical re-encoder: decode a
 * message, encode what was decoded, and compare. A decoder that accepts bytes which do not re-encode to themselves
 * is accepting something the protocol does not define.
 */
final class SampleMessages
{
    static final String KEY_64 = "K".repeat(Limits.KEY_PART_CHARS_MAX);
    static final String ID_128 = "i".repeat(Limits.REQUEST_ID_CHARS_MAX);

    private SampleMessages()
    {
    }

    static byte[] encode(final ToIntFunction<UnsafeBuffer> encoder)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_BYTES_MIN]);
        final int length = encoder.applyAsInt(buffer);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    static List<byte[]> all()
    {
        final List<byte[]> messages = new ArrayList<>();
        messages.add(encode(b -> new HelloEncoder().wrap(b, 0).requestId(1).minVersion(1).maxVersion(1)
            .encodedLength()));
        messages.add(encode(b -> new HelloEncoder().wrap(b, 0).requestId(1).minVersion(2).maxVersion(2)
            .secret("Zm9vYmFyLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmZ2hpams").encodedLength()));
        messages.add(encode(b -> new HelloEncoder().wrap(b, 0).requestId(1).minVersion(1).maxVersion(3)
            .secret(null).encodedLength()));
        messages.add(encode(b -> new HelloOkEncoder().wrap(b, 0).requestId(1).version(2).maxFrameBytes(65536)
            .maxInFlight(256).encodedLength()));
        messages.add(encode(b -> new ErrorEncoder().wrap(b, 0).requestId(7).errorCode(ErrorCode.RESERVATION_NOT_HELD)
            .status(ReservationStatus.COMMITTED).message("reservation r-1 is COMMITTED").encodedLength()));
        messages.add(encode(b -> new ErrorEncoder().wrap(b, 0).requestId(8).errorCode(ErrorCode.OVERLOADED)
            .retryAfterMs(1000).message("the node's in-flight work is full; try again shortly").encodedLength()));
        messages.add(encode(b -> new SetStockEncoder().wrap(b, 0).requestId(2).onHand(100).safetyStock(5)
            .sku("SKU-1").location("WH-1").encodedLength()));
        messages.add(encode(b -> new SetStockEncoder().wrap(b, 0).requestId(3).onHand(Limits.STOCK_MAX)
            .safetyStock(SetStockDescriptor.KEEP_SAFETY_STOCK).sku(KEY_64).location(KEY_64).encodedLength()));
        messages.add(encode(b -> new AdjustEncoder().wrap(b, 0).requestId(4).delta(-3).sku("SKU-1").location("WH-1")
            .eventId("erp-42").reason("cycle count \u00e9\u4e2d\ud83d\ude00").encodedLength()));
        messages.add(encode(b -> new AdjustEncoder().wrap(b, 0).requestId(5).delta(Limits.DELTA_ABS_MAX).sku("S")
            .location("L").eventId(ID_128).reason(null).encodedLength()));
        messages.add(encode(b -> new ReturnEncoder().wrap(b, 0).requestId(6).quantity(1)
            .disposition(ReturnDisposition.RESTOCK).returnId("rma-99").sku("SKU-1").location("WH-1")
            .encodedLength()));
        messages.add(encode(b -> new ReturnEncoder().wrap(b, 0).requestId(7).quantity(Limits.LINE_QUANTITY_MAX)
            .disposition(ReturnDisposition.DAMAGED).returnId("r:1").sku("s").location("l").encodedLength()));
        messages.add(encode(b -> new ReserveEncoder().wrap(b, 0).requestId(9).ttlSeconds(600)
            .reservationId("order-7781").correlationId("order-7781").line(2, "SKU-1", "WH-1").line(1, "SKU-9", "WH-1")
            .encodedLength()));
        messages.add(encode(SampleMessages::largestReserve));
        for (final int type : new int[] {MessageType.COMMIT, MessageType.RELEASE, MessageType.GET_RESERVATION})
        {
            messages.add(encode(b -> new ReservationIdEncoder().wrap(b, 0, type).requestId(10).reservationId("r-1")
                .encodedLength()));
        }
        messages.add(encode(b -> new GetAvailabilityEncoder().wrap(b, 0).requestId(11).sku("SKU-1").location("WH-1")
            .encodedLength()));
        messages.add(encode(b -> new AvailabilityEncoder().wrap(b, 0).requestId(12).onHand(100).safetyStock(5)
            .reserved(2).available(93).sku("SKU-1").location("WH-1").encodedLength()));
        messages.add(encode(b -> new ReservationEncoder().wrap(b, 0).requestId(13).expiresAtMs(1_800_000_000_000L)
            .status(ReservationStatus.HELD).reservationId("order-7781").line(2, "SKU-1", "WH-1")
            .line(1, "SKU-9", "WH-1").encodedLength()));
        messages.add(encode(b -> new ReservationEncoder().wrap(b, 0).requestId(14).expiresAtMs(1_800_000_000_000L)
            .status(ReservationStatus.REJECTED).reservationId("order-7782").line(2, "SKU-1", "WH-1")
            .line(1, "SKU-9", "WH-1").shortLine(1, 0, "SKU-9", "WH-1").encodedLength()));
        messages.add(encode(SampleMessages::largestReservation));
        return messages;
    }

    static int largestReserve(final UnsafeBuffer buffer)
    {
        final ReserveEncoder encoder = new ReserveEncoder().wrap(buffer, 0).requestId(Long.MAX_VALUE)
            .ttlSeconds(Limits.TTL_SECONDS_MAX).reservationId(ID_128).correlationId("c".repeat(128));
        for (int i = 0; i < Limits.LINES_MAX; i++)
        {
            encoder.line(Limits.LINE_QUANTITY_MAX, key(i), KEY_64);
        }
        return encoder.encodedLength();
    }

    static int largestReservation(final UnsafeBuffer buffer)
    {
        final ReservationEncoder encoder = new ReservationEncoder().wrap(buffer, 0).requestId(-1)
            .expiresAtMs(Long.MAX_VALUE).status(ReservationStatus.REJECTED).reservationId(ID_128);
        for (int i = 0; i < Limits.LINES_MAX; i++)
        {
            encoder.line(Limits.LINE_QUANTITY_MAX, key(i), KEY_64);
        }
        for (int i = 0; i < Limits.LINES_MAX; i++)
        {
            encoder.shortLine(Limits.LINE_QUANTITY_MAX, Long.MAX_VALUE, key(i), KEY_64);
        }
        return encoder.encodedLength();
    }

    /** A 64-char sku distinct for every i. */
    static String key(final int i)
    {
        final String n = Integer.toString(i);
        return KEY_64.substring(n.length()) + n;
    }

    /** The decoder for a message type, or null for an unknown type. */
    static MessageDecoder decoderFor(final int type)
    {
        return switch (type)
        {
            case MessageType.HELLO -> new HelloDecoder();
            case MessageType.HELLO_OK -> new HelloOkDecoder();
            case MessageType.ERROR -> new ErrorDecoder();
            case MessageType.SET_STOCK -> new SetStockDecoder();
            case MessageType.ADJUST -> new AdjustDecoder();
            case MessageType.RETURN -> new ReturnDecoder();
            case MessageType.RESERVE -> new ReserveDecoder();
            case MessageType.COMMIT, MessageType.RELEASE, MessageType.GET_RESERVATION -> new ReservationIdDecoder();
            case MessageType.GET_AVAILABILITY -> new GetAvailabilityDecoder();
            case MessageType.AVAILABILITY -> new AvailabilityDecoder();
            case MessageType.RESERVATION -> new ReservationDecoder();
            default -> null;
        };
    }

    static MessageDecoder wrap(final MessageDecoder decoder, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (decoder instanceof HelloDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof HelloOkDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof ErrorDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof SetStockDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof AdjustDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof ReturnDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof ReserveDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof ReservationIdDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof GetAvailabilityDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        if (decoder instanceof AvailabilityDecoder d)
        {
            return d.wrap(buffer, offset, length);
        }
        return ((ReservationDecoder)decoder).wrap(buffer, offset, length);
    }

    /** Encodes again what a validated decoder holds. */
    static byte[] reencode(final MessageDecoder decoder)
    {
        return encode(b -> reencode(decoder, b));
    }

    private static int reencode(final MessageDecoder decoder, final UnsafeBuffer b)
    {
        final long id = decoder.requestId();
        if (decoder instanceof HelloDecoder d)
        {
            final HelloEncoder e = new HelloEncoder().wrap(b, 0).requestId(id).minVersion(d.minVersion())
                .maxVersion(d.maxVersion());
            if (HelloDescriptor.hasSecret(d.maxVersion()))
            {
                e.secret(d.secret());
            }
            return e.encodedLength();
        }
        if (decoder instanceof HelloOkDecoder d)
        {
            return new HelloOkEncoder().wrap(b, 0).requestId(id).version(d.version())
                .maxFrameBytes(d.maxFrameBytes()).maxInFlight(d.maxInFlight()).encodedLength();
        }
        if (decoder instanceof ErrorDecoder d)
        {
            return new ErrorEncoder().wrap(b, 0).requestId(id).errorCode(d.errorCode()).status(d.status())
                .retryAfterMs(d.retryAfterMs()).message(d.message()).encodedLength();
        }
        if (decoder instanceof SetStockDecoder d)
        {
            return new SetStockEncoder().wrap(b, 0).requestId(id).onHand(d.onHand()).safetyStock(d.safetyStock())
                .sku(d.sku()).location(d.location()).encodedLength();
        }
        if (decoder instanceof AdjustDecoder d)
        {
            return new AdjustEncoder().wrap(b, 0).requestId(id).delta(d.delta()).sku(d.sku()).location(d.location())
                .eventId(d.eventId()).reason(d.reason()).encodedLength();
        }
        if (decoder instanceof ReturnDecoder d)
        {
            return new ReturnEncoder().wrap(b, 0).requestId(id).quantity(d.quantity()).disposition(d.disposition())
                .returnId(d.returnId()).sku(d.sku()).location(d.location()).encodedLength();
        }
        if (decoder instanceof ReserveDecoder d)
        {
            final ReserveEncoder e = new ReserveEncoder().wrap(b, 0).requestId(id).ttlSeconds(d.ttlSeconds())
                .reservationId(d.reservationId()).correlationId(d.correlationId());
            for (int i = 0; i < d.lineCount(); i++)
            {
                e.line(d.lineQuantity(i), d.lineSku(i), d.lineLocation(i));
            }
            return e.encodedLength();
        }
        if (decoder instanceof ReservationIdDecoder d)
        {
            return new ReservationIdEncoder().wrap(b, 0, d.messageType()).requestId(id)
                .reservationId(d.reservationId()).encodedLength();
        }
        if (decoder instanceof GetAvailabilityDecoder d)
        {
            return new GetAvailabilityEncoder().wrap(b, 0).requestId(id).sku(d.sku()).location(d.location())
                .encodedLength();
        }
        if (decoder instanceof AvailabilityDecoder d)
        {
            return new AvailabilityEncoder().wrap(b, 0).requestId(id).availability(d.toAvailability())
                .encodedLength();
        }
        final ReservationDecoder d = (ReservationDecoder)decoder;
        final ReservationEncoder e = new ReservationEncoder().wrap(b, 0).requestId(id).expiresAtMs(d.expiresAtMs())
            .status(d.status()).reservationId(d.reservationId());
        for (int i = 0; i < d.lineCount(); i++)
        {
            e.line(d.lineQuantity(i), d.lineSku(i), d.lineLocation(i));
        }
        for (int i = 0; i < d.shortLineCount(); i++)
        {
            e.shortLine(d.shortLineQuantity(i), d.shortLineAvailable(i), d.shortLineSku(i), d.shortLineLocation(i));
        }
        return e.encodedLength();
    }
}
