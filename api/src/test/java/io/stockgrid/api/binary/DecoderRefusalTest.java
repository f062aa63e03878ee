package io.stockgrid.api.binary;

import io.stockgrid.api.ReservationStatus;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/** Every refusal names the field and the rule, in the words the HTTP door uses where the rule is the same. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DecoderRefusalTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_BYTES_MIN]);

    @Test
    void shouldRefuseReserveLineCountsOutsideOneToOneHundred()
    {
        assertReserveRefused(b -> reserve(b, 0), "field 'lines' must have 1..100 entries, has 0");
        assertReserveRefused(b ->
        {
            final ReserveEncoder e = new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r")
                .correlationId(null);
            for (int i = 0; i < 101; i++)
            {
                e.line(1, "S" + i, "L");
            }
            return e.encodedLength();
        }, "field 'lines' must have 1..100 entries, has 101");
    }

    @Test
    void shouldRefuseBadLinesNamingTheLine()
    {
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r").correlationId(null)
            .line(1, "A", "B").line(0, "C", "D").encodedLength(),
            "field 'lines[1].quantity' must be in 1..1000000, was 0");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r").correlationId(null)
            .line(1, "A", "B").line(1, "C d", "D").encodedLength(),
            "field 'lines[1].sku' must be 1..64 chars of [A-Za-z0-9._-]");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r").correlationId(null)
            .line(1, "A", "B").line(2, "A", "B").encodedLength(),
            "field 'lines[1]' repeats sku A at location B: each (sku, location) may appear once per reservation");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r").correlationId(null)
            .line(1, "A", "K".repeat(65)).encodedLength(),
            "field 'lines[0].location' must be 1..64 chars of [A-Za-z0-9._-]");
    }

    @Test
    void shouldRefuseBadIdsTtlAndCorrelationId()
    {
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("").correlationId(null)
            .line(1, "A", "B").encodedLength(), "field 'reservationId' must be 1..128 chars of [A-Za-z0-9._:-]");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r\u00e9")
            .correlationId(null).line(1, "A", "B").encodedLength(),
            "field 'reservationId' must be 1..128 chars of [A-Za-z0-9._:-]");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(0).reservationId("r").correlationId(null)
            .line(1, "A", "B").encodedLength(), "field 'ttlSeconds' must be in 1..86400, was 0");
        assertReserveRefused(b -> new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r")
            .correlationId("has space").line(1, "A", "B").encodedLength(), "field 'correlationId' must be 0..128");
    }

    @Test
    void shouldRefuseStructuralDamageAsMalformed()
    {
        final int length = reserve(buffer, 2);
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length - 1),
            "malformed RESERVE: field 'lines[1].location' runs past the end of the frame");
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length + 3),
            "malformed RESERVE: 3 bytes after the last field");
        buffer.putShort(MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET, (short)9, ByteOrder.LITTLE_ENDIAN);
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length), "malformed RESERVE: block length 9, expected 8");
        reserve(buffer, 2);
        buffer.putShort(MessageHeaderDescriptor.HEADER_LENGTH + ReserveDescriptor.UNUSED_OFFSET, (short)1,
            ByteOrder.LITTLE_ENDIAN);
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length), "malformed RESERVE: unused bytes must be zero");
        reserve(buffer, 2);
        buffer.putShort(MessageHeaderDescriptor.SCHEMA_VERSION_OFFSET, (short)1, ByteOrder.LITTLE_ENDIAN);
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length), "schema version 1 is not 2");
        assertRefused(new ReserveDecoder().wrap(buffer, 0, 10), "message shorter than its header");
    }

    @Test
    void shouldRefuseStockChangesOutOfRange()
    {
        int length = new SetStockEncoder().wrap(buffer, 0).onHand(-1).safetyStock(0).sku("A").location("B")
            .encodedLength();
        assertRefused(new SetStockDecoder().wrap(buffer, 0, length), "field 'onHand' must be in 0..1000000000, was -1");
        length = new SetStockEncoder().wrap(buffer, 0).onHand(1).safetyStock(-2).sku("A").location("B")
            .encodedLength();
        assertRefused(new SetStockDecoder().wrap(buffer, 0, length), "field 'safetyStock' must be in 0..1000000000");
        length = new AdjustEncoder().wrap(buffer, 0).delta(0).sku("A").location("B").eventId("e").reason(null)
            .encodedLength();
        assertRefused(new AdjustDecoder().wrap(buffer, 0, length), "field 'delta' must not be 0");
        length = new AdjustEncoder().wrap(buffer, 0).delta(1).sku("A").location("B").eventId("e")
            .reason("x".repeat(257)).encodedLength();
        assertRefused(new AdjustDecoder().wrap(buffer, 0, length), "field 'reason' must be at most 256 chars");
        // Chars are code points: 256 emoji (512 UTF-16 units, 1024 bytes) are a valid reason, 257 code points are not.
        length = new AdjustEncoder().wrap(buffer, 0).delta(1).sku("A").location("B").eventId("e")
            .reason("\uD83D\uDE00".repeat(256)).encodedLength();
        final AdjustDecoder emoji = new AdjustDecoder().wrap(buffer, 0, length);
        org.assertj.core.api.Assertions.assertThat(emoji.validate()).as(emoji.violation()).isTrue();
        org.assertj.core.api.Assertions.assertThat(emoji.reason()).isEqualTo("\uD83D\uDE00".repeat(256));
        length = new AdjustEncoder().wrap(buffer, 0).delta(1).sku("A").location("B").eventId("e")
            .reason("\uD83D\uDE00".repeat(255) + "xx").encodedLength();
        assertRefused(new AdjustDecoder().wrap(buffer, 0, length), "field 'reason' must be at most 256 chars");
        length = new ReturnEncoder().wrap(buffer, 0).quantity(1).disposition(null).returnId("x").sku("A")
            .location("B").encodedLength();
        assertRefused(new ReturnDecoder().wrap(buffer, 0, length),
            "field 'disposition' must be 1 (RESTOCK) or 2 (DAMAGED), was 0");
    }

    @Test
    void shouldRefuseMalformedUtf8InTheReason()
    {
        final int length = new AdjustEncoder().wrap(buffer, 0).delta(1).sku("A").location("B").eventId("e")
            .reason("ab").encodedLength();
        buffer.putByte(length - 1, (byte)0xC0);
        assertRefused(new AdjustDecoder().wrap(buffer, 0, length), "field 'reason' must be well-formed UTF-8");
    }

    @Test
    void shouldRefuseAnswersThatCannotBeTrue()
    {
        int length = new ReservationEncoder().wrap(buffer, 0).status(ReservationStatus.HELD).reservationId("r")
            .line(1, "A", "B").shortLine(1, 0, "A", "B").encodedLength();
        assertRefused(new ReservationDecoder().wrap(buffer, 0, length), "field 'shortLines'");
        length = new ReservationEncoder().wrap(buffer, 0).status(null).reservationId("r").line(1, "A", "B")
            .encodedLength();
        assertRefused(new ReservationDecoder().wrap(buffer, 0, length), "field 'status' has no meaning: 0");
        length = new ErrorEncoder().wrap(buffer, 0).message("x").encodedLength();
        assertRefused(new ErrorDecoder().wrap(buffer, 0, length), "field 'errorCode' has no meaning: 0");
        length = new HelloEncoder().wrap(buffer, 0).minVersion(2).maxVersion(1).encodedLength();
        assertRefused(new HelloDecoder().wrap(buffer, 0, length), "field 'minVersion' must be in 1..maxVersion");
        length = new HelloEncoder().wrap(buffer, 0).minVersion(2).maxVersion(2).secret("has space").encodedLength();
        assertRefused(new HelloDecoder().wrap(buffer, 0, length), "field 'secret' must be 0..255 chars of printable");
        // A version-2 HELLO must carry the secret field (length 0 when there is no key): without it, it is truncated.
        length = new HelloEncoder().wrap(buffer, 0).minVersion(2).maxVersion(2).encodedLength();
        assertRefused(new HelloDecoder().wrap(buffer, 0, length), "field 'secret' runs past the end of the frame");
    }

    private void assertReserveRefused(final ToIntFunction<MutableDirectBuffer> encode, final String expected)
    {
        final int length = encode.applyAsInt(buffer);
        assertRefused(new ReserveDecoder().wrap(buffer, 0, length), expected);
    }

    private static void assertRefused(final MessageDecoder decoder, final String expected)
    {
        assertThat(decoder.validate()).isFalse();
        assertThat(decoder.violation()).contains(expected);
    }

    private static int reserve(final MutableDirectBuffer b, final int lines)
    {
        final ReserveEncoder e = new ReserveEncoder().wrap(b, 0).ttlSeconds(60).reservationId("r").correlationId(null);
        for (int i = 0; i < lines; i++)
        {
            e.line(1, "S" + i, "L" + i);
        }
        return e.encodedLength();
    }
}
