package io.stockgrid.grid;

import com.hazelcast.internal.nio.BufferObjectDataOutput;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import io.stockgrid.api.ReservationLine;
import io.stockgrid.ingest.KeyEffect;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the codes the grid sends enums between members as. A member of the previous build reads these bytes during a
 * rolling upgrade, a migration or a backup, so a changed code would make it read another constant: a failure here
 * means a constant's code was changed or reused, which must not happen; a new constant gets a new code and a new pin.
 * The classes are also checked to write the code (not the ordinal) where the byte goes, and to refuse an unknown one.
 */
class WireCodesPinTest
{
    private static InternalSerializationService serialization;

    @BeforeAll
    static void startSerialization()
    {
        serialization = new DefaultSerializationServiceBuilder()
            .addDataSerializableFactory(GridSerializers.FACTORY_ID, new GridSerializers())
            .build();
    }

    @AfterAll
    static void stopSerialization()
    {
        serialization.dispose();
    }

    @Test
    void keyResultCodesArePinned()
    {
        final Map<KeyResult.Code, Integer> pins = new LinkedHashMap<>();
        pins.put(KeyResult.Code.APPLIED, 0);
        pins.put(KeyResult.Code.DUPLICATE, 1);
        pins.put(KeyResult.Code.NEGATIVE_STOCK, 2);
        pins.put(KeyResult.Code.STOCK_LIMIT, 3);
        pins.put(KeyResult.Code.FINGERPRINT_MISMATCH, 4);
        pins.put(KeyResult.Code.ALREADY_HELD, 5);
        pins.put(KeyResult.Code.CONFLICT, 6);
        pins.put(KeyResult.Code.SHORT, 7);
        pins.put(KeyResult.Code.NO_HOLD, 8);
        checkCodes(KeyResult.Code.class, "KeyResult.Code", pins, KeyResult.Code::code, KeyResult.Code::of);
    }

    @Test
    void reservationResultCodesArePinned()
    {
        final Map<ReservationResult.Code, Integer> pins = new LinkedHashMap<>();
        pins.put(ReservationResult.Code.CREATED, 0);
        pins.put(ReservationResult.Code.EXISTS, 1);
        pins.put(ReservationResult.Code.MISMATCH, 2);
        pins.put(ReservationResult.Code.TRANSITIONED, 3);
        pins.put(ReservationResult.Code.ALREADY, 4);
        pins.put(ReservationResult.Code.NOT_ALLOWED, 5);
        pins.put(ReservationResult.Code.EXPIRED_NOW, 6);
        pins.put(ReservationResult.Code.NOT_FOUND, 7);
        pins.put(ReservationResult.Code.FULL, 8);
        checkCodes(ReservationResult.Code.class, "ReservationResult.Code", pins, ReservationResult.Code::code,
            ReservationResult.Code::of);
    }

    @Test
    void resultsSendTheirCodeFirstAndRefuseAnUnknownOne() throws IOException
    {
        for (final KeyResult.Code code : KeyResult.Code.values())
        {
            final byte[] bytes = write(new KeyResult(code, false, null, 0));
            assertThat(bytes[0]).as("KeyResult %s", code).isEqualTo((byte)code.code());
            assertThat(read(new KeyResult(), bytes).code()).isEqualTo(code);
        }
        for (final ReservationResult.Code code : ReservationResult.Code.values())
        {
            final byte[] bytes = write(new ReservationResult(code, null));
            assertThat(bytes[0]).as("ReservationResult %s", code).isEqualTo((byte)code.code());
            assertThat(read(new ReservationResult(), bytes).code()).isEqualTo(code);
        }
        final byte[] bad = write(new KeyResult(KeyResult.Code.APPLIED, false, null, 0));
        bad[0] = 99;
        assertThatThrownBy(() -> read(new KeyResult(), bad)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("KeyResult.Code").hasMessageContaining("99");
    }

    @Test
    void processorsAndRecordsSendPhaseAndKindCodes() throws IOException
    {
        for (final ReservationPhase phase : ReservationPhase.values())
        {
            assertThat(write(new ReservationProcessors.Settle(phase, 1))[0]).as("Settle %s", phase)
                .isEqualTo((byte)phase.code());
            assertThat(write(new ReservationProcessors.Finish(phase, List.of(), 1))[0]).as("Finish %s", phase)
                .isEqualTo((byte)phase.code());
        }

        final int afterId = stringLength("r");
        for (final ReservationPhase phase : ReservationPhase.values())
        {
            for (final ReservationPhase first : Arrays.asList(null, ReservationPhase.HELD, ReservationPhase.EXPIRED))
            {
                final ReservationState state = new ReservationState("r", phase, first, 4, 10, 20, 30, "fp", "c",
                    List.of(new ReservationLine("S", "L", 2)), List.of());
                final byte[] bytes = write(new ReservationRecord(state));
                assertThat(bytes[afterId]).as("phase byte of %s", phase).isEqualTo((byte)phase.code());
                assertThat(bytes[afterId + 1]).as("firstOutcome byte, -1 for none")
                    .isEqualTo((byte)(first == null ? -1 : first.code()));
                assertThat(read(new ReservationRecord(), bytes).state()).isEqualTo(state);
            }
        }

        for (final KeyEffect.Kind kind : List.of(KeyEffect.Kind.RELEASE, KeyEffect.Kind.EXPIRE))
        {
            assertThat(write(new StockProcessors.ReleaseHold("r", kind))[afterId]).as("ReleaseHold %s", kind)
                .isEqualTo((byte)kind.code());
        }
    }

    private static <E extends Enum<E>> void checkCodes(final Class<E> type, final String name,
        final Map<E, Integer> pins, final ToIntFunction<E> code, final IntFunction<E> of)
    {
        assertThat(pins.keySet()).as("every %s constant is pinned", name).isEqualTo(EnumSet.allOf(type));
        final Set<Integer> seen = new HashSet<>();
        for (final Map.Entry<E, Integer> pin : pins.entrySet())
        {
            final E constant = pin.getKey();
            assertThat(code.applyAsInt(constant)).as("code of %s", constant).isEqualTo(pin.getValue());
            assertThat(seen.add(code.applyAsInt(constant))).as("code of %s is unique", constant).isTrue();
            assertThat(code.applyAsInt(constant)).as("code of %s fits a byte", constant).isBetween(0, 127);
            assertThat(of.apply(code.applyAsInt(constant))).as("of(code of %s)", constant).isSameAs(constant);
        }
        for (final int unknown : new int[] {-1, -128, pins.size(), 127, 128, 255, Integer.MAX_VALUE})
        {
            if (!seen.contains(unknown))
            {
                assertThatThrownBy(() -> of.apply(unknown)).as("of(%d)", unknown)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining(Integer.toString(unknown));
            }
        }
    }

    /** The fields alone, as writeData puts them (no Hazelcast header), so offsets are the classes' own. */
    private static byte[] write(final IdentifiedDataSerializable object) throws IOException
    {
        final BufferObjectDataOutput out = serialization.createObjectDataOutput();
        object.writeData(out);
        return out.toByteArray();
    }

    private static <T extends IdentifiedDataSerializable> T read(final T into, final byte[] bytes) throws IOException
    {
        into.readData(serialization.createObjectDataInput(bytes));
        return into;
    }

    private static int stringLength(final String s) throws IOException
    {
        final BufferObjectDataOutput out = serialization.createObjectDataOutput();
        out.writeString(s);
        return out.toByteArray().length;
    }
}
