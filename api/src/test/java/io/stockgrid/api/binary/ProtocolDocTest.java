package io.stockgrid.api.binary;

import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.ReservationStatus;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The hex examples in docs/protocol.md are what the encoders produce, byte for byte. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProtocolDocTest
{
    private static final Pattern HEX_BLOCK = Pattern.compile("```hex\\n# (\\w+)\\n(.*?)```", Pattern.DOTALL);

    @Test
    void shouldShowExactlyTheBytesTheEncodersWrite() throws Exception
    {
        final Map<String, byte[]> documented = new LinkedHashMap<>();
        final Matcher m = HEX_BLOCK.matcher(Files.readString(Path.of("..", "docs", "protocol.md")));
        while (m.find())
        {
            documented.put(m.group(1), parse(m.group(2)));
        }

        assertThat(documented).containsOnlyKeys("RESERVE", "RESERVATION", "HELLO", "HELLO_OK", "ERROR");
        assertThat(documented.get("RESERVE")).isEqualTo(frame(b -> new ReserveEncoder().wrap(b, 4).requestId(42)
            .ttlSeconds(600).reservationId("order-7781").correlationId(null).line(2, "SKU-1", "WH-1")
            .line(1, "SKU-9", "WH-1").encodedLength()));
        assertThat(documented.get("RESERVATION")).isEqualTo(frame(b -> new ReservationEncoder().wrap(b, 4)
            .requestId(42).expiresAtMs(1_795_000_000_000L).status(ReservationStatus.HELD).reservationId("order-7781")
            .line(2, "SKU-1", "WH-1").line(1, "SKU-9", "WH-1").encodedLength()));
        assertThat(documented.get("HELLO")).isEqualTo(frame(b -> new HelloEncoder().wrap(b, 4).requestId(0)
            .minVersion(2).maxVersion(2).secret("kQ3v9Xb2-TmZpR7wL0aYcN5eHs8uJ4fD1gKqVxWz6oE").encodedLength()));
        assertThat(documented.get("HELLO_OK")).isEqualTo(frame(b -> new HelloOkEncoder().wrap(b, 4).requestId(0)
            .version(2).maxFrameBytes(65_536).maxInFlight(256).encodedLength()));
        assertThat(documented.get("ERROR")).isEqualTo(frame(b -> new ErrorEncoder().wrap(b, 4).requestId(43)
            .errorCode(ErrorCode.RESERVATION_NOT_HELD).status(ReservationStatus.COMMITTED)
            .message("reservation order-7781 is COMMITTED").encodedLength()));
    }

    private static byte[] frame(final ToIntFunction<UnsafeBuffer> encoder)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final int length = encoder.applyAsInt(buffer);
        FrameDescriptor.messageLength(buffer, 0, length);
        final byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_LENGTH + length];
        buffer.getBytes(0, frame);
        return frame;
    }

    private static byte[] parse(final String dump)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (final String line : dump.split("\n"))
        {
            final String[] words = line.trim().split("\\s+");
            for (int i = 1; i < words.length; i++)
            {
                bytes.write(Integer.parseInt(words[i], 16));
            }
        }
        return bytes.toByteArray();
    }
}
