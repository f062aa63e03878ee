package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Limits;
import io.stockgrid.api.ReservationStatus;
import io.stockgrid.api.ReturnDisposition;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CodecRoundTripTest
{
    @Test
    void shouldDecodeEverySampleAndEncodeItBackByteForByte()
    {
        for (final byte[] message : SampleMessages.all())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(message);
            final int type = new MessageHeaderDecoder().wrap(buffer, 0).messageType();
            final MessageDecoder decoder = SampleMessages.wrap(SampleMessages.decoderFor(type), buffer, 0,
                message.length);
            assertThat(decoder.validate()).as(MessageType.name(type) + ": " + decoder.violation()).isTrue();
            assertThat(decoder.violation()).isNull();
            assertThat(SampleMessages.reencode(decoder)).as(MessageType.name(type)).isEqualTo(message);
        }
    }

    @Test
    void shouldFitTheLargestMessageOfEveryTypeInTheSmallestAllowedFrame()
    {
        assertThat(List.of(HelloDescriptor.LENGTH_MAX, HelloOkDescriptor.LENGTH, ErrorDescriptor.LENGTH_MAX,
            SetStockDescriptor.LENGTH_MAX, AdjustDescriptor.LENGTH_MAX, ReturnDescriptor.LENGTH_MAX,
            ReserveDescriptor.LENGTH_MAX, ReservationIdDescriptor.LENGTH_MAX, GetAvailabilityDescriptor.LENGTH_MAX,
            AvailabilityDescriptor.LENGTH_MAX, ReservationDescriptor.LENGTH_MAX))
            .allSatisfy(max -> assertThat(max).isLessThanOrEqualTo(FrameDescriptor.MAX_FRAME_BYTES_MIN));
        assertThat(SampleMessages.encode(SampleMessages::largestReserve)).hasSize(ReserveDescriptor.LENGTH_MAX);
        assertThat(SampleMessages.encode(SampleMessages::largestReservation))
            .hasSize(ReservationDescriptor.LENGTH_MAX);
    }

    @Test
    void shouldReadBackEveryFieldOfAReserve()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = new ReserveEncoder().wrap(buffer, 0).requestId(42).ttlSeconds(600).reservationId("order-1")
            .correlationId(null).line(2, "SKU-1", "WH-1").line(5, "SKU-2", "WH-9").encodedLength();
        final ReserveDecoder decoder = new ReserveDecoder().wrap(buffer, 0, length);

        assertThat(decoder.validate()).isTrue();
        assertThat(decoder.requestId()).isEqualTo(42);
        assertThat(decoder.ttlSeconds()).isEqualTo(600);
        assertThat(decoder.reservationId()).isEqualTo("order-1");
        assertThat(decoder.correlationId()).isNull();
        assertThat(decoder.lineCount()).isEqualTo(2);
        assertThat(decoder.lineQuantity(1)).isEqualTo(5);
        assertThat(decoder.lineSku(1)).isEqualTo("SKU-2");
        assertThat(decoder.lineLocation(1)).isEqualTo("WH-9");
    }

    @Test
    void shouldReadBackARejectedReservationWithItsShortLines()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = new ReservationEncoder().wrap(buffer, 0).requestId(-7).expiresAtMs(1234567890123L)
            .status(ReservationStatus.REJECTED).reservationId("r-2").line(3, "A", "B").shortLine(3, 1, "A", "B")
            .encodedLength();
        final ReservationDecoder decoder = new ReservationDecoder().wrap(buffer, 0, length);

        assertThat(decoder.validate()).as(decoder.violation()).isTrue();
        assertThat(decoder.requestId()).isEqualTo(-7);
        assertThat(decoder.status()).isEqualTo(ReservationStatus.REJECTED);
        assertThat(decoder.expiresAtMs()).isEqualTo(1234567890123L);
        assertThat(decoder.reservationId()).isEqualTo("r-2");
        assertThat(decoder.shortLineCount()).isEqualTo(1);
        assertThat(decoder.shortLineAvailable(0)).isEqualTo(1);
        assertThat(decoder.shortLineSku(0)).isEqualTo("A");
    }

    @Test
    void shouldCarryEveryErrorCodeStatusAndDispositionByItsFixedNumber()
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            assertThat(WireCodes.errorCode(WireCodes.errorCode(code))).isEqualTo(code);
        }
        for (final ReservationStatus status : ReservationStatus.values())
        {
            assertThat(WireCodes.status(WireCodes.status(status))).isEqualTo(status);
        }
        for (final ReturnDisposition disposition : ReturnDisposition.values())
        {
            assertThat(WireCodes.disposition(WireCodes.disposition(disposition))).isEqualTo(disposition);
        }
        // Pinned: these numbers are the contract, not the enum order.
        assertThat(WireCodes.errorCode(ErrorCode.INVALID_REQUEST)).isEqualTo(1);
        assertThat(WireCodes.errorCode(ErrorCode.INTERNAL_ERROR)).isEqualTo(16);
        assertThat(WireCodes.status(ReservationStatus.REJECTED)).isEqualTo(5);
        assertThat(WireCodes.disposition(ReturnDisposition.DAMAGED)).isEqualTo(2);
    }

    @Test
    void shouldComposeAnErrorMessageFromPartsAndCutItAt1024Bytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        int length = new ErrorEncoder().wrap(buffer, 0).requestId(3).errorCode(ErrorCode.NEGATIVE_STOCK)
            .appendMessage("onHand is ").appendMessage(-42L).appendMessage("; nothing applied").encodedLength();
        final ErrorDecoder decoder = new ErrorDecoder().wrap(buffer, 0, length);
        assertThat(decoder.validate()).isTrue();
        assertThat(decoder.message()).isEqualTo("onHand is -42; nothing applied");
        assertThat(decoder.errorCode()).isEqualTo(ErrorCode.NEGATIVE_STOCK);
        assertThat(decoder.status()).isNull();

        length = new ErrorEncoder().wrap(buffer, 0).errorCode(ErrorCode.INVALID_REQUEST).message("\u00e9".repeat(600))
            .encodedLength();
        assertThat(decoder.wrap(buffer, 0, length).validate()).isTrue();
        assertThat(decoder.message()).isEqualTo("\u00e9".repeat(512));
    }

    @Test
    void shouldWriteTheHeaderAsDocumented()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        new ReservationIdEncoder().wrap(buffer, 0, MessageType.COMMIT).requestId(0x0102030405060708L)
            .reservationId("r");
        final byte[] header = new byte[MessageHeaderDescriptor.HEADER_LENGTH];
        buffer.getBytes(0, header);
        assertThat(header).containsExactly(
            0x53, 0x47, 0x02, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01);
        assertThat(Limits.LINES_MAX).isEqualTo(100);
    }
}
