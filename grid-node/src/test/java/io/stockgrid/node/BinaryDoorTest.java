package io.stockgrid.node;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.binary.AvailabilityDecoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.GetAvailabilityEncoder;
import io.stockgrid.api.binary.HelloEncoder;
import io.stockgrid.api.binary.HelloOkDecoder;
import io.stockgrid.api.binary.MessageHeaderDescriptor;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationIdEncoder;
import io.stockgrid.api.binary.ReserveEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The binary door's handshake and refusals over a raw socket: what closes the connection (anything that makes the
 * stream untrustworthy), what is answered with ERROR on an open connection (a well-delimited bad request), and that a
 * refused request is never applied.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BinaryDoorTest
{
    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static HttpJson http;

    @BeforeAll
    static void startNode() throws Exception
    {
        node = TestNode.start(dataDir);
        http = new HttpJson(node.httpPort());
        assertThat(http.put("/v1/stock/B-SKU/WH-1", "{\"onHand\":10}").status()).isEqualTo(200);
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldAnswerHelloWithTheVersionTheFrameMaximumAndTheWindow() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.send(BinarySocket.frame(b -> new HelloEncoder().wrap(b, 0).requestId(77)
                .minVersion(1).maxVersion(9).secret(null).encodedLength()));
            final BinarySocket.Frame answer = socket.read();
            assertThat(answer.type()).isEqualTo(MessageType.HELLO_OK);
            assertThat(answer.requestId()).isEqualTo(77);
            final HelloOkDecoder ok = new HelloOkDecoder().wrap(answer.buffer(), 0, answer.message().length);
            assertThat(ok.validate()).isTrue();
            assertThat(ok.version()).isEqualTo(2);
            assertThat(ok.maxFrameBytes()).isEqualTo(FrameDescriptor.MAX_FRAME_BYTES_DEFAULT);
            assertThat(ok.maxInFlight()).isEqualTo(256);
        }
    }

    @Test
    void shouldRefuseAnUnknownSchemaVersionAndClose() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            // A version-1 client (its HELLO has no secret field) is refused by the version check, clearly.
            socket.send(BinarySocket.helloFrame(1, 1));
            final BinarySocket.Frame error = socket.read();
            assertThat(error.requestId()).isZero();
            assertThat(error.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(error.errorMessage()).isEqualTo("unsupported schema version 1..1; this node speaks 2..2");
            socket.assertClosedByPeer();
        }
    }

    @Test
    void shouldRefuseARequestBeforeHelloAndClose() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.send(availabilityFrame(1, "B-SKU"));
            final BinarySocket.Frame error = socket.read();
            assertThat(error.errorMessage()).isEqualTo("the first message must be HELLO, not type 17");
            socket.assertClosedByPeer();
        }
    }

    @Test
    void shouldRefuseAFrameOverTheMaximumBeforeReadingItsBody() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            socket.send(lengthField(FrameDescriptor.MAX_FRAME_BYTES_DEFAULT + 1));
            final BinarySocket.Frame error = socket.read();
            assertThat(error.requestId()).isZero();
            assertThat(error.errorCode()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
            assertThat(error.errorMessage()).isEqualTo("frame length 65537 exceeds the maximum of 65536 bytes");
            socket.assertClosedByPeer();
        }
    }

    @Test
    void shouldRefuseAFrameShorterThanAHeaderOrANegativeLengthAndClose() throws Exception
    {
        for (final int length : new int[] {0, 15, -1, Integer.MIN_VALUE})
        {
            try (BinarySocket socket = new BinarySocket(node.binaryPort()))
            {
                socket.hello();
                socket.send(lengthField(length));
                assertThat(socket.read().errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
                socket.assertClosedByPeer();
            }
        }
    }

    @Test
    void shouldRefuseAForeignSchemaIdAndASecondHelloAndClose() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            final byte[] frame = availabilityFrame(5, "B-SKU");
            frame[FrameDescriptor.LENGTH_FIELD_LENGTH] = 'X';
            socket.send(frame);
            assertThat(socket.read().errorMessage()).startsWith("not a Stockgrid frame");
            socket.assertClosedByPeer();
        }
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            socket.send(BinarySocket.helloFrame(2, 2));
            assertThat(socket.read().errorMessage()).isEqualTo("HELLO was already exchanged");
            socket.assertClosedByPeer();
        }
    }

    @Test
    void shouldAnswerAnUnknownTypeOrABadRequestWithItsIdAndStayOpen() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            final byte[] unknown = availabilityFrame(41, "B-SKU");
            ByteBuffer.wrap(unknown).order(ByteOrder.LITTLE_ENDIAN)
                .putShort(FrameDescriptor.LENGTH_FIELD_LENGTH + MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET, (short)99);
            socket.send(unknown);
            BinarySocket.Frame answer = socket.read();
            assertThat(answer.requestId()).isEqualTo(41);
            assertThat(answer.errorMessage()).isEqualTo("message type 99 (UNKNOWN) is not a request this node takes");

            socket.send(BinarySocket.frame(b -> new ReserveEncoder().wrap(b, 0).requestId(42).ttlSeconds(60)
                .reservationId("b-refused").correlationId(null).line(1, "B-SKU", "WH-1").line(1, "B SKU", "WH-1")
                .encodedLength()));
            answer = socket.read();
            assertThat(answer.requestId()).isEqualTo(42);
            assertThat(answer.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(answer.errorMessage()).isEqualTo("field 'lines[1].sku' must be 1..64 chars of [A-Za-z0-9._-]");

            final byte[] truncated = BinarySocket.frame(b -> new ReserveEncoder().wrap(b, 0).requestId(43)
                .ttlSeconds(60).reservationId("b-refused").correlationId(null).line(1, "B-SKU", "WH-1")
                .encodedLength());
            final byte[] lying = BinarySocket.frameOf(truncated, FrameDescriptor.LENGTH_FIELD_LENGTH,
                truncated.length - FrameDescriptor.LENGTH_FIELD_LENGTH - 3);
            socket.send(lying);
            answer = socket.read();
            assertThat(answer.requestId()).isEqualTo(43);
            assertThat(answer.errorMessage())
                .isEqualTo("malformed RESERVE: field 'lines[0].location' runs past the end of the frame");

            socket.send(BinarySocket.frame(b -> new ReservationIdEncoder().wrap(b, 0, MessageType.GET_RESERVATION)
                .requestId(44).reservationId("b-refused").encodedLength()));
            answer = socket.read();
            assertThat(answer.requestId()).isEqualTo(44);
            assertThat(answer.errorCode()).as("a refused reservation is not remembered")
                .isEqualTo(ErrorCode.RESERVATION_NOT_FOUND);
            assertThat(readAvailability(socket, 45).reserved()).isZero();
        }
        assertThat(http.get("/v1/availability/B-SKU/WH-1").number("reserved")).isZero();
    }

    @Test
    void shouldDecodeAFrameThatArrivesOneByteAtATime() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            for (final byte b : availabilityFrame(7, "B-SKU"))
            {
                socket.send(new byte[] {b});
            }
            final BinarySocket.Frame answer = socket.read();
            assertThat(answer.requestId()).isEqualTo(7);
            assertThat(answer.type()).isEqualTo(MessageType.AVAILABILITY);
        }
    }

    @Test
    void shouldAnswerRequestsPipelinedInOneWriteEachTaggedWithItsId() throws Exception
    {
        final int requests = 600;
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            final ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 1; i <= requests; i++)
            {
                burst.write(availabilityFrame(i, "B-SKU"));
            }
            socket.send(burst.toByteArray());
            final Set<Long> answered = new HashSet<>();
            for (int i = 0; i < requests; i++)
            {
                final BinarySocket.Frame answer = socket.read();
                assertThat(answer.type()).isEqualTo(MessageType.AVAILABILITY);
                assertThat(answered.add(answer.requestId())).isTrue();
            }
            assertThat(answered).hasSize(requests).allSatisfy(id -> assertThat(id).isBetween(1L, (long)requests));
        }
    }

    @Test
    void shouldAnswerEveryRequestSentBeforeTheClientHalfClosesThenClose() throws Exception
    {
        // More requests than the connection's window (256): some still wait unread in the node's buffer at the EOF.
        final int requests = 300;
        assertThat(http.put("/v1/stock/HALF-SKU/WH-1", "{\"onHand\":1000000}").status()).isEqualTo(200);
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            final ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 1; i <= requests; i++)
            {
                final long requestId = i;
                burst.write(i % 2 == 0 ? availabilityFrame(requestId, "HALF-SKU") :
                    BinarySocket.frame(b -> new ReserveEncoder().wrap(b, 0).requestId(requestId).ttlSeconds(600)
                        .reservationId("half-" + requestId).correlationId(null).line(1, "HALF-SKU", "WH-1")
                        .encodedLength()));
            }
            // Then half a frame, which the EOF cuts short: not a request, so not answered.
            final byte[] cut = availabilityFrame(requests + 1, "HALF-SKU");
            burst.write(cut, 0, cut.length / 2);
            socket.send(burst.toByteArray());
            socket.shutdownOutput();
            final Set<Long> answered = new HashSet<>();
            for (int i = 0; i < requests; i++)
            {
                final BinarySocket.Frame answer = socket.read();
                assertThat(answer).as("answer %d of %d", i + 1, requests).isNotNull();
                assertThat(answer.type()).isIn(MessageType.AVAILABILITY, MessageType.RESERVATION);
                assertThat(answered.add(answer.requestId())).isTrue();
            }
            assertThat(answered).allSatisfy(id -> assertThat(id).isBetween(1L, (long)requests));
            assertThat(socket.read()).as("closed after the last answer").isNull();
        }
        assertThat(http.get("/v1/availability/HALF-SKU/WH-1").number("reserved")).isEqualTo(requests / 2);
    }

    @Test
    void shouldCloseAtOnceWhenTheClientHalfClosesWithNothingInFlight() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            socket.shutdownOutput();
            assertThat(socket.read()).isNull();
        }
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.shutdownOutput();
            assertThat(socket.read()).as("before HELLO").isNull();
        }
    }

    private static AvailabilityDecoder readAvailability(final BinarySocket socket, final long requestId)
        throws Exception
    {
        socket.send(availabilityFrame(requestId, "B-SKU"));
        final BinarySocket.Frame answer = socket.read();
        assertThat(answer.requestId()).isEqualTo(requestId);
        final AvailabilityDecoder decoder = new AvailabilityDecoder().wrap(answer.buffer(), 0,
            answer.message().length);
        assertThat(decoder.validate()).isTrue();
        return decoder;
    }

    static byte[] availabilityFrame(final long requestId, final String sku)
    {
        return BinarySocket.frame(b -> new GetAvailabilityEncoder().wrap(b, 0).requestId(requestId).sku(sku)
            .location("WH-1").encodedLength());
    }

    private static byte[] lengthField(final int length)
    {
        final byte[] field = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
        ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN).putInt(length);
        return field;
    }
}
