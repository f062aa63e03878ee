package io.stockgrid.ingest.binary;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.transport.Transport;
import io.stockgrid.api.binary.ErrorDecoder;
import io.stockgrid.api.binary.FrameDescriptor;
import io.stockgrid.api.binary.GetAvailabilityEncoder;
import io.stockgrid.api.binary.HelloEncoder;
import io.stockgrid.api.binary.MessageHeaderDecoder;
import io.stockgrid.api.binary.MessageType;
import io.stockgrid.api.client.StockgridClient;
import io.stockgrid.api.client.StockgridException;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.Journal;
import io.stockgrid.ingest.StubInventoryService;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The binary server over a real pipeline and journal, with a grid whose answers the test releases by hand, so that
 * what depends on timing can be made to happen: answers out of request order, a connection's window filling up, the
 * client's window filling up, overload, not ready, a grid failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BinaryServerTest
{
    @TempDir
    Path dir;

    private final HeldService service = new HeldService();
    private Journal journal;
    private CommandPipeline pipeline;
    private BinaryServer server;

    private void start(final int pipelineMaxInFlight, final int connectionMaxInFlight) throws Exception
    {
        journal = new Journal(dir, Journal.Durability.MAPPED, 0);
        pipeline = new CommandPipeline(service, journal, SystemEpochClock.INSTANCE, new IngestMetrics(),
            pipelineMaxInFlight);
        // NIO here; the node tests run the doors on the default (epoll where it loads), so both transports are used.
        server = new BinaryServer("127.0.0.1", 0, 1, Transport.NIO, pipeline, new IngestMetrics(),
            FrameDescriptor.MAX_FRAME_BYTES_DEFAULT, connectionMaxInFlight);
    }

    @AfterEach
    void stop()
    {
        service.releaseAll();
        if (server != null)
        {
            server.close();
        }
        if (pipeline != null)
        {
            pipeline.close();
        }
        if (journal != null)
        {
            journal.close();
        }
    }

    @Test
    void shouldWriteAnswersInTheOrderTheyCompleteTaggedWithTheirRequestIds() throws Exception
    {
        start(100, 16);
        try (Wire wire = new Wire(server.port()))
        {
            wire.hello();
            wire.send(availability(1, "A"), availability(2, "B"), availability(3, "C"));
            await().until(() -> service.held.size() == 3);

            service.release("C", 3);
            service.release("A", 1);
            service.release("B", 2);

            assertThat(List.of(wire.read(), wire.read(), wire.read())).containsExactly(3L, 1L, 2L);
        }
    }

    @Test
    void shouldMatchOutOfOrderAnswersToTheirCallsInTheClient() throws Exception
    {
        start(100, 16);
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", server.port()).build())
        {
            final CompletableFuture<Availability> a = client.availabilityAsync("A", "L");
            final CompletableFuture<Availability> b = client.availabilityAsync("B", "L");
            final CompletableFuture<Availability> c = client.availabilityAsync("C", "L");
            await().until(() -> service.held.size() == 3);

            service.release("B", 20);
            assertThat(b.get(5, TimeUnit.SECONDS).onHand()).isEqualTo(20);
            assertThat(a).isNotDone();
            service.release("C", 30);
            service.release("A", 10);
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(Availability.of("A", "L", 10, 0, 0));
            assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo(Availability.of("C", "L", 30, 0, 0));
        }
    }

    @Test
    void shouldStopReadingAConnectionWhoseWindowIsFullUntilAnswersDrain() throws Exception
    {
        start(100, 2);
        try (Wire wire = new Wire(server.port()))
        {
            wire.hello();
            wire.send(availability(1, "A"), availability(2, "B"), availability(3, "C"), availability(4, "D"),
                availability(5, "E"));
            await().until(() -> service.held.size() == 2);
            Thread.sleep(200);
            assertThat(service.held.keySet()).as("two in flight, the rest not read").containsOnly("A", "B");

            service.release("A", 1);
            assertThat(wire.read()).isEqualTo(1L);
            await().until(() -> service.held.containsKey("C"));
            assertThat(service.held).hasSize(2);

            service.release("B", 1);
            service.release("C", 1);
            await().until(() -> service.held.size() == 2 && service.held.containsKey("E"));
            service.release("D", 1);
            service.release("E", 1);
            final List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++)
            {
                ids.add(wire.read());
            }
            assertThat(ids).containsExactlyInAnyOrder(2L, 3L, 4L, 5L);
        }
    }

    @Test
    void shouldFailFastWhenTheClientWindowIsFullAndSendNothing() throws Exception
    {
        start(100, 16);
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", server.port()).maxInFlight(2)
            .build())
        {
            final CompletableFuture<Availability> a = client.availabilityAsync("A", "L");
            final CompletableFuture<Availability> b = client.availabilityAsync("B", "L");
            final CompletableFuture<Availability> refused = client.availabilityAsync("C", "L");

            assertThat(refused).isCompletedExceptionally();
            final StockgridException ex = (StockgridException)refused.handle((v, e) -> e).join();
            assertThat(ex.kind()).isEqualTo(StockgridException.Kind.WINDOW_FULL);
            assertThat(ex.getMessage()).isEqualTo("the in-flight window of 2 calls is full; nothing was sent");
            await().until(() -> service.held.size() == 2);
            Thread.sleep(100);
            assertThat(service.held.keySet()).containsOnly("A", "B");

            service.release("A", 1);
            a.get(5, TimeUnit.SECONDS);
            final CompletableFuture<Availability> later = client.availabilityAsync("C", "L");
            await().until(() -> service.held.containsKey("C"));
            service.release("B", 2);
            service.release("C", 3);
            assertThat(b.get(5, TimeUnit.SECONDS).onHand()).isEqualTo(2);
            assertThat(later.get(5, TimeUnit.SECONDS).onHand()).isEqualTo(3);
        }
    }

    @Test
    void shouldAnswerOverloadedNotReadyAndUnavailableAsHttpDoes() throws Exception
    {
        start(1, 16);
        try (StockgridClient client = StockgridClient.builder().address("127.0.0.1", server.port()).build())
        {
            final CompletableFuture<Availability> first = client.availabilityAsync("A", "L");
            await().until(() -> service.held.size() == 1);
            final StockgridException overloaded = failure(client.availabilityAsync("B", "L"));
            assertThat(overloaded.errorCode()).isEqualTo(ErrorCode.OVERLOADED);
            assertThat(overloaded.retryAfterMs()).isEqualTo(1000);
            assertThat(overloaded.isRetryable()).isTrue();
            assertThat(overloaded.getMessage()).contains("the node's in-flight work is full; try again shortly");

            service.fail("A", new IllegalStateException("member left"));
            final StockgridException unavailable = failure(first);
            assertThat(unavailable.errorCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(unavailable.getMessage()).contains("retry with the same id");

            service.ready = false;
            final StockgridException notReady = failure(client.availabilityAsync("C", "L"));
            assertThat(notReady.errorCode()).isEqualTo(ErrorCode.NOT_READY);
            assertThat(notReady.retryAfterMs()).isEqualTo(1000);
        }
    }

    @Test
    void shouldRefuseSettingsThatBreakTheProtocol() throws Exception
    {
        journal = new Journal(dir, Journal.Durability.MAPPED, 0);
        pipeline = new CommandPipeline(service, journal, SystemEpochClock.INSTANCE, new IngestMetrics(), 10);
        final IngestMetrics metrics = new IngestMetrics();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BinaryServer("127.0.0.1", 0, 1, Transport.AUTO, pipeline,
            metrics, FrameDescriptor.MAX_FRAME_BYTES_MIN - 1, 16)).hasMessageContaining("maxFrameBytes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BinaryServer("127.0.0.1", 0, 1, Transport.AUTO, pipeline,
            metrics, FrameDescriptor.MAX_FRAME_BYTES_DEFAULT, 0)).hasMessageContaining("maxInFlightPerConnection");
    }

    private static StockgridException failure(final CompletableFuture<?> future) throws Exception
    {
        final Throwable thrown = future.handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertThat(thrown).isInstanceOf(StockgridException.class);
        return (StockgridException)thrown;
    }

    private static byte[] availability(final long requestId, final String sku)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final int length = new GetAvailabilityEncoder().wrap(buffer, FrameDescriptor.LENGTH_FIELD_LENGTH)
            .requestId(requestId).sku(sku).location("L").encodedLength();
        FrameDescriptor.messageLength(buffer, 0, length);
        final byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH + length];
        buffer.getBytes(0, frame);
        return frame;
    }

    /** A raw connection: sends frames, reads answers' request ids in wire order. */
    private static final class Wire implements AutoCloseable
    {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private final OutputStream out;

        Wire(final int port) throws IOException
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        void hello() throws IOException
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final int length = new HelloEncoder().wrap(buffer, FrameDescriptor.LENGTH_FIELD_LENGTH).minVersion(2)
                .maxVersion(2).secret(null).encodedLength();
            FrameDescriptor.messageLength(buffer, 0, length);
            out.write(buffer.byteArray(), 0, FrameDescriptor.LENGTH_FIELD_LENGTH + length);
            assertThat(readType()).isEqualTo(MessageType.HELLO_OK);
        }

        void send(final byte[]... frames) throws IOException
        {
            for (final byte[] frame : frames)
            {
                out.write(frame);
            }
            out.flush();
        }

        /** The request id of the next answer, which must be AVAILABILITY. */
        long read() throws IOException
        {
            final byte[] message = readMessage();
            final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(new UnsafeBuffer(message), 0);
            if (header.messageType() == MessageType.ERROR)
            {
                final ErrorDecoder error = new ErrorDecoder().wrap(new UnsafeBuffer(message), 0, message.length);
                error.validate();
                throw new AssertionError("ERROR " + error.errorCode() + ": " + error.message());
            }
            assertThat(header.messageType()).isEqualTo(MessageType.AVAILABILITY);
            return header.requestId();
        }

        private int readType() throws IOException
        {
            return new MessageHeaderDecoder().wrap(new UnsafeBuffer(readMessage()), 0).messageType();
        }

        private byte[] readMessage() throws IOException
        {
            final byte[] lengthField = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH];
            in.readFully(lengthField);
            final byte[] message = new byte[ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN).getInt()];
            in.readFully(message);
            return message;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    /** A grid that holds every availability read until the test releases it (keyed by sku). */
    private static final class HeldService extends StubInventoryService
    {
        final Map<String, CompletableFuture<Availability>> held = new ConcurrentHashMap<>();
        volatile boolean ready = true;

        void release(final String sku, final long onHand)
        {
            final CompletableFuture<Availability> future = held.remove(sku);
            future.complete(Availability.of(sku, "L", onHand, 0, 0));
        }

        void fail(final String sku, final RuntimeException ex)
        {
            held.remove(sku).completeExceptionally(ex);
        }

        void releaseAll()
        {
            held.values().forEach(f -> f.completeExceptionally(new IllegalStateException("test over")));
            held.clear();
        }

        @Override
        public CompletableFuture<Availability> availability(final String sku, final String location)
        {
            final CompletableFuture<Availability> future = new CompletableFuture<>();
            held.put(sku, future);
            return future;
        }

        @Override
        public boolean isReady()
        {
            return ready;
        }
    }
}
