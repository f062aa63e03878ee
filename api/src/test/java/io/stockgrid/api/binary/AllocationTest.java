package io.stockgrid.api.binary;

import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node's decode and encode path allocates nothing per message: validating a request of every type (flyweights
 * re-wrapped, offsets kept in preallocated arrays) and encoding every kind of answer (an ERROR composed from parts
 * included). Only asking a decoder for a String allocates, and that is the pipeline's command record, outside this
 * path. Measured with the JVM's per-thread allocation counter; not a timing test.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AllocationTest
{
    private static final int ROUNDS = 2_000;

    @Test
    void shouldValidateRequestsAndEncodeAnswersWithoutAllocating()
    {
        final List<byte[]> samples = SampleMessages.all();
        final UnsafeBuffer[] buffers = new UnsafeBuffer[samples.size()];
        final MessageDecoder[] decoders = new MessageDecoder[samples.size()];
        for (int i = 0; i < samples.size(); i++)
        {
            buffers[i] = new UnsafeBuffer(samples.get(i));
            decoders[i] = SampleMessages.decoderFor(new MessageHeaderDecoder().wrap(buffers[i], 0).messageType());
        }
        final UnsafeBuffer out = new UnsafeBuffer(new byte[FrameDescriptor.MAX_FRAME_BYTES_MIN]);
        final Availability availability = Availability.of("SKU-1", "WH-1", 100, 5, 2);
        final AvailabilityEncoder availabilityEncoder = new AvailabilityEncoder();
        final ReservationEncoder reservationEncoder = new ReservationEncoder();
        final ErrorEncoder errorEncoder = new ErrorEncoder();
        final String id = "order-7781";

        long sink = 0;
        long allocated = 0;
        for (int pass = 0; pass < 2; pass++)
        {
            final long before = allocatedBytes();
            for (int round = 0; round < ROUNDS; round++)
            {
                for (int i = 0; i < decoders.length; i++)
                {
                    final MessageDecoder decoder = SampleMessages.wrap(decoders[i], buffers[i], 0,
                        buffers[i].capacity());
                    sink += decoder.validate() ? decoder.requestId() : 0;
                }
                sink += availabilityEncoder.wrap(out, 0).requestId(round).availability(availability).encodedLength();
                sink += reservationEncoder.wrap(out, 0).requestId(round).expiresAtMs(round)
                    .status(ReservationStatus.HELD).reservationId(id).line(2, "SKU-1", "WH-1").encodedLength();
                sink += errorEncoder.wrap(out, 0).requestId(round).errorCode(ErrorCode.NEGATIVE_STOCK)
                    .appendMessage("onHand is ").appendMessage(round).appendMessage("; reservation ")
                    .appendMessage(id).encodedLength();
            }
            // The first pass warms up (class loading, JIT); the second is measured.
            allocated = allocatedBytes() - before;
        }
        assertThat(sink).isNotZero();
        assertThat(allocated).as("bytes allocated by %d rounds", ROUNDS).isLessThan(4 * 1024);
    }

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean())
            .getThreadAllocatedBytes(Thread.currentThread().getId());
    }
}
