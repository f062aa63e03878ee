package io.stockgrid.node;

import io.stockgrid.api.ReturnDisposition;
import io.stockgrid.api.binary.AdjustDecoder;
import io.stockgrid.api.binary.AdjustEncoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.GetAvailabilityDecoder;
import io.stockgrid.api.binary.HelloEncoder;
import io.stockgrid.api.binary.MessageDecoder;
import io.stockgrid.api.binary.MessageHeaderDescriptor;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.binary.ReservationIdDecoder;
import io.stockgrid.api.binary.ReservationIdEncoder;
import io.stockgrid.api.binary.ReserveDecoder;
import io.stockgrid.api.binary.ReserveEncoder;
import io.stockgrid.api.binary.ReturnDecoder;
import io.stockgrid.api.binary.ReturnEncoder;
import io.stockgrid.api.binary.SetStockDecoder;
import io.stockgrid.api.binary.SetStockEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of the real binary door on loopback. Valid requests that would change the seeded keys
 * (set, adjust, return, reserve, commit, release) and reads are damaged (bit flips, byte overwrites, truncation, junk
 * appended, lying frame lengths, lying counts and string lengths, random message types, spliced and repeated frames)
 * and sent after a good HELLO on a fresh connection, then the client half-closes. A mutation that still carries a
 * valid request (which the codec fuzz test proves is a genuine request) is not sent. For every other one the node
 * must answer only well-formed ERROR frames or close the connection; it must never apply anything (the seeded keys,
 * the held reservation and the journal's append count are identical at the end), never hit an unexpected exception
 * (the internal-error counter stays 0), and stay healthy (a probe connection is answered correctly throughout).
 * The seed is printed on failure; -Dfuzz.seed and -Dfuzz.cases reproduce or lengthen a run.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BinaryFuzzTest
{
    private static final long SEED = Long.getLong("fuzz.seed", 0xf0dd_e51L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 2_000);
    private static final int PROBE_EVERY = 250;
    private static final Pattern APPENDS = Pattern.compile("(?m)^stockgrid_journal_appends_total ([0-9.eE+]+)$");
    private static final Pattern INTERNAL_ERRORS =
        Pattern.compile("(?m)^stockgrid_binary_internal_errors_total ([0-9.eE+]+)$");

    @TempDir
    static Path dataDir;

    private static StockgridNode node;
    private static HttpJson http;

    @BeforeAll
    static void startNodeAndSeed() throws Exception
    {
        node = TestNode.start(dataDir);
        http = new HttpJson(node.httpPort());
        assertThat(http.put("/v1/stock/FZ-A/WH-1", "{\"onHand\":100,\"safetyStock\":5}").status()).isEqualTo(200);
        assertThat(http.put("/v1/stock/FZ-B/WH-1", "{\"onHand\":7}").status()).isEqualTo(200);
        assertThat(http.post("/v1/reservations", "{\"reservationId\":\"fz-held\",\"ttlSeconds\":86400,"
            + "\"lines\":[{\"sku\":\"FZ-A\",\"location\":\"WH-1\",\"quantity\":2}]}").status()).isEqualTo(201);
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
    void shouldAnswerDamagedFramesOnlyWithErrorsOrACloseAndChangeNothing() throws Exception
    {
        final String before = seededState();
        final double appendsBefore = metric(APPENDS);
        final List<byte[]> corpus = corpus();
        final SplittableRandom random = new SplittableRandom(SEED);
        int sent = 0;
        int closed = 0;
        int errors = 0;
        for (int n = 0; n < CASES; n++)
        {
            final byte[] stream = FrameMutator.mutate(corpus, random);
            if (carriesValidRequest(stream))
            {
                continue;
            }
            sent++;
            try (BinarySocket socket = new BinarySocket(node.binaryPort(), 5_000))
            {
                socket.hello();
                socket.trySend(stream);
                socket.trySend(new byte[0]);
                try
                {
                    socket.shutdownOutput();
                }
                catch (final java.io.IOException ex)
                {
                    // the node already closed it
                }
                BinarySocket.Frame frame;
                while ((frame = socket.read()) != null)
                {
                    if (frame.type() != MessageType.ERROR)
                    {
                        fail("case " + n + " (seed " + SEED + "): answered message type " + frame.type()
                            + " to " + hex(stream));
                    }
                    frame.error();
                    errors++;
                }
                closed++;
            }
            catch (final java.net.SocketTimeoutException ex)
            {
                fail("case " + n + " (seed " + SEED + "): the node neither answered nor closed: " + hex(stream));
            }
            if (n % PROBE_EVERY == 0)
            {
                assertThat(probe()).as("case %d (seed %d): the node still answers", n, SEED)
                    .isEqualTo(expectedProbe());
            }
        }
        assertThat(sent).as("most damaged frames are invalid and were sent").isGreaterThan(CASES / 2);
        assertThat(errors).as("refusals were answered, not only closed").isPositive();
        assertThat(closed).isEqualTo(sent);
        assertThat(seededState()).as("seed %d: nothing changed", SEED).isEqualTo(before);
        assertThat(metric(APPENDS)).as("seed %d: nothing was journaled", SEED).isEqualTo(appendsBefore);
        assertThat(metric(INTERNAL_ERRORS)).as("seed %d: no unexpected exception in the door", SEED).isZero();
        assertThat(http.get("/health/ready").status()).isEqualTo(200);
    }

    /** Valid request frames that would change the seeded state if the node took them, and reads. */
    private static List<byte[]> corpus()
    {
        final List<byte[]> corpus = new ArrayList<>();
        corpus.add(BinarySocket.frame(b -> new SetStockEncoder().wrap(b, 0).requestId(1).onHand(3).safetyStock(1)
            .sku("FZ-A").location("WH-1").encodedLength()));
        corpus.add(BinarySocket.frame(b -> new AdjustEncoder().wrap(b, 0).requestId(2).delta(-4).sku("FZ-A")
            .location("WH-1").eventId("fz-evt").reason("fuzz \u00e9").encodedLength()));
        corpus.add(BinarySocket.frame(b -> new ReturnEncoder().wrap(b, 0).requestId(3).quantity(2)
            .disposition(ReturnDisposition.RESTOCK).returnId("fz-ret").sku("FZ-B").location("WH-1")
            .encodedLength()));
        corpus.add(BinarySocket.frame(b -> new ReserveEncoder().wrap(b, 0).requestId(4).ttlSeconds(60)
            .reservationId("fz-new").correlationId("c-1").line(1, "FZ-A", "WH-1").line(2, "FZ-B", "WH-1")
            .encodedLength()));
        corpus.add(BinarySocket.frame(b -> new ReservationIdEncoder().wrap(b, 0, MessageType.COMMIT).requestId(5)
            .reservationId("fz-held").encodedLength()));
        corpus.add(BinarySocket.frame(b -> new ReservationIdEncoder().wrap(b, 0, MessageType.RELEASE).requestId(6)
            .reservationId("fz-held").encodedLength()));
        corpus.add(BinarySocket.frame(b -> new ReservationIdEncoder().wrap(b, 0, MessageType.GET_RESERVATION)
            .requestId(7).reservationId("fz-held").encodedLength()));
        corpus.add(BinaryDoorTest.availabilityFrame(8, "FZ-A"));
        corpus.add(BinarySocket.frame(b -> new HelloEncoder().wrap(b, 0).requestId(9).minVersion(2).maxVersion(2)
            .secret(null).encodedLength()));
        return corpus;
    }

    /**
     * Cuts the stream into frames as the node does and says whether any of them is a valid request it would apply:
     * such a case is not a damaged frame but a genuine request, and is not sent.
     */
    static boolean carriesValidRequest(final byte[] stream)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (stream.length - pos >= FrameDescriptor.LENGTH_FIELD_LENGTH)
        {
            final int length = bytes.getInt(pos);
            if (length < MessageHeaderDescriptor.HEADER_LENGTH || length > FrameDescriptor.MAX_FRAME_BYTES_DEFAULT ||
                stream.length - pos - FrameDescriptor.LENGTH_FIELD_LENGTH < length)
            {
                return false;
            }
            final int at = pos + FrameDescriptor.LENGTH_FIELD_LENGTH;
            if ((bytes.getShort(at + MessageHeaderDescriptor.SCHEMA_ID_OFFSET) & 0xFFFF) !=
                MessageHeaderDescriptor.SCHEMA_ID ||
                (bytes.getShort(at + MessageHeaderDescriptor.SCHEMA_VERSION_OFFSET) & 0xFFFF) !=
                MessageHeaderDescriptor.SCHEMA_VERSION_MAX)
            {
                return false;
            }
            final int type = bytes.getShort(at + MessageHeaderDescriptor.MESSAGE_TYPE_OFFSET) & 0xFFFF;
            if (type == MessageType.HELLO)
            {
                return false;
            }
            final MessageDecoder decoder = requestDecoder(type, new UnsafeBuffer(stream, at, length), length);
            if (decoder != null && decoder.validate())
            {
                return true;
            }
            pos = at + length;
        }
        return false;
    }

    private static MessageDecoder requestDecoder(final int type, final UnsafeBuffer buffer, final int length)
    {
        return switch (type)
        {
            case MessageType.SET_STOCK -> new SetStockDecoder().wrap(buffer, 0, length);
            case MessageType.ADJUST -> new AdjustDecoder().wrap(buffer, 0, length);
            case MessageType.RETURN -> new ReturnDecoder().wrap(buffer, 0, length);
            case MessageType.RESERVE -> new ReserveDecoder().wrap(buffer, 0, length);
            case MessageType.COMMIT, MessageType.RELEASE, MessageType.GET_RESERVATION ->
                new ReservationIdDecoder().wrap(buffer, 0, length);
            case MessageType.GET_AVAILABILITY -> new GetAvailabilityDecoder().wrap(buffer, 0, length);
            default -> null;
        };
    }

    private static String seededState()
    {
        return http.get("/v1/availability/FZ-A/WH-1").body() + http.get("/v1/availability/FZ-B/WH-1").body()
            + http.get("/v1/reservations/fz-held").body() + http.get("/v1/reservations/fz-new").body();
    }

    private static String probe() throws Exception
    {
        try (BinarySocket socket = new BinarySocket(node.binaryPort()))
        {
            socket.hello();
            socket.send(BinaryDoorTest.availabilityFrame(99, "FZ-A"));
            return Arrays.toString(socket.read().message());
        }
    }

    private static String expected;

    private static String expectedProbe() throws Exception
    {
        if (expected == null)
        {
            expected = probe();
        }
        return expected;
    }

    private static double metric(final Pattern pattern)
    {
        final String metrics = http.get("/metrics").body();
        final Matcher m = pattern.matcher(metrics);
        assertThat(m.find()).as("metric %s in /metrics", pattern).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (final byte b : bytes)
        {
            sb.append(String.format("%02x ", b));
        }
        return sb.toString();
    }
}
