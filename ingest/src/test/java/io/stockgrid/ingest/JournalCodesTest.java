package io.stockgrid.ingest;

import io.stockgrid.api.ReservationLine;
import io.stockgrid.api.ReturnDisposition;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.Test;

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
 * Pins the codes the journal stores enums as. Journals on disk were written with these numbers (they were the
 * ordinals before the codes were made explicit), so a changed code would make replay read an old journal wrongly:
 * a failure here means a constant's code was changed or reused, which must not happen; a new constant gets a new
 * code and a new pin.
 */
class JournalCodesTest
{
    @Test
    void reservationPhaseCodesArePinned()
    {
        final Map<ReservationPhase, Integer> pins = new LinkedHashMap<>();
        pins.put(ReservationPhase.PENDING, 0);
        pins.put(ReservationPhase.HELD, 1);
        pins.put(ReservationPhase.COMMITTED, 2);
        pins.put(ReservationPhase.RELEASED, 3);
        pins.put(ReservationPhase.EXPIRED, 4);
        pins.put(ReservationPhase.REJECTED, 5);
        checkCodes(ReservationPhase.class, pins, ReservationPhase::code, ReservationPhase::of);
    }

    @Test
    void keyEffectKindCodesArePinned()
    {
        final Map<KeyEffect.Kind, Integer> pins = new LinkedHashMap<>();
        pins.put(KeyEffect.Kind.SET, 0);
        pins.put(KeyEffect.Kind.ADJUST, 1);
        pins.put(KeyEffect.Kind.HOLD, 2);
        pins.put(KeyEffect.Kind.RELEASE, 3);
        pins.put(KeyEffect.Kind.EXPIRE, 4);
        pins.put(KeyEffect.Kind.COMMIT, 5);
        pins.put(KeyEffect.Kind.RETURN_RESTOCK, 6);
        pins.put(KeyEffect.Kind.RETURN_DAMAGED, 7);
        checkCodes(KeyEffect.Kind.class, pins, KeyEffect.Kind::code, KeyEffect.Kind::of);
    }

    @Test
    void returnDispositionCodesArePinned()
    {
        final Map<ReturnDisposition, Integer> pins = new LinkedHashMap<>();
        pins.put(ReturnDisposition.RESTOCK, 0);
        pins.put(ReturnDisposition.DAMAGED, 1);
        checkCodes(ReturnDisposition.class, pins, ReturnDisposition::journalCode, ReturnDisposition::ofJournalCode);
    }

    @Test
    void aReturnCommandStoresItsDispositionCodeAndReadsItBack()
    {
        for (final ReturnDisposition disposition : ReturnDisposition.values())
        {
            final Commands.Return command = new Commands.Return("ret-1", "S", "L", 3, disposition);
            final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
            JournalCodec.encodeCommand(bytes, 7, 1_000, command, null);
            assertThat(bytes.readByte(bytes.writePosition() - 1)).as("an empty caller ends the record").isZero();
            assertThat(bytes.readByte(bytes.writePosition() - 2)).as("the last field of a return is its disposition")
                .isEqualTo((byte)disposition.journalCode());
            bytes.readSkip(18);
            assertThat(JournalCodec.decodeCommand(bytes, JournalCodec.CMD_RETURN)).isEqualTo(command);
        }
    }

    @Test
    void shouldJournalTheCallerWithEveryCommandAndReadItBack()
    {
        final List<ReservationLine> lines = List.of(new ReservationLine("S", "L", 2));
        final Object[] commands = {
            new Commands.SetStock("S", "L", 10, -1),
            new Commands.Adjust("S", "L", "e-1", -2, "count"),
            new Commands.Return("ret-1", "S", "L", 3, ReturnDisposition.RESTOCK),
            new Commands.Settle("r-1", Commands.SettleAction.COMMIT),
            new Commands.Reserve("r-1", lines, 60, null, "fp")};
        for (final Object command : commands)
        {
            final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
            JournalCodec.encodeCommand(bytes, 7, 1_000, command, "erp-eu");
            bytes.readSkip(17);
            final byte type = bytes.readByte();
            final Object decoded = JournalCodec.decodeCommandFieldsForTest(bytes, type);
            assertThat(decoded).isEqualTo(command);
            assertThat(JournalCodec.readCaller(bytes)).as("caller of %s", command).isEqualTo("erp-eu");
            assertThat(bytes.readRemaining()).isZero();
        }
        final Bytes<?> reserve = Bytes.allocateElasticOnHeap();
        JournalCodec.encodeCommand(reserve, 7, 1_000, commands[4], "erp-eu");
        reserve.readSkip(18);
        assertThat(((Commands.Reserve)JournalCodec.decodeCommand(reserve, JournalCodec.CMD_RESERVE)).createdBy())
            .isEqualTo("erp-eu");
    }

    /**
     * Journals written before callers were recorded (session 8 and earlier) end each command and reservation record
     * one field sooner: they must still replay, as made by no caller. The bytes here are written field by field as
     * that code wrote them, not by today's encoder.
     */
    @Test
    void shouldReadOldFormatRecordsWithoutACaller()
    {
        final Bytes<?> command = Bytes.allocateElasticOnHeap();
        command.writeByte(JournalCodec.RECORD_COMMAND);
        command.writeLong(7);
        command.writeLong(1_000);
        command.writeByte(JournalCodec.CMD_RESERVE);
        command.writeUtf8("r-old");
        command.writeInt(60);
        command.writeUtf8("corr-1");
        command.writeUtf8("fp");
        command.writeInt(1);
        command.writeUtf8("S");
        command.writeUtf8("L");
        command.writeLong(2);
        command.readSkip(18);
        final Commands.Reserve reserve = (Commands.Reserve)JournalCodec.decodeCommand(command, JournalCodec.CMD_RESERVE);
        assertThat(reserve.reservationId()).isEqualTo("r-old");
        assertThat(reserve.correlationId()).isEqualTo("corr-1");
        assertThat(reserve.lines()).containsExactly(new ReservationLine("S", "L", 2));
        assertThat(reserve.createdBy()).isNull();

        final Bytes<?> settle = Bytes.allocateElasticOnHeap();
        settle.writeUtf8("r-old");
        assertThat(JournalCodec.decodeCommand(settle, JournalCodec.CMD_COMMIT))
            .isEqualTo(new Commands.Settle("r-old", Commands.SettleAction.COMMIT));

        final Bytes<?> reservation = Bytes.allocateElasticOnHeap();
        reservation.writeUtf8("r-old");
        reservation.writeByte((byte)ReservationPhase.HELD.code());
        reservation.writeByte((byte)ReservationPhase.HELD.code());
        reservation.writeLong(2);
        reservation.writeLong(10);
        reservation.writeLong(20);
        reservation.writeLong(30);
        reservation.writeUtf8("fp");
        reservation.writeUtf8("");
        reservation.writeInt(1);
        reservation.writeUtf8("S");
        reservation.writeUtf8("L");
        reservation.writeLong(2);
        reservation.writeInt(0);
        final ReservationState old = JournalCodec.readReservation(reservation);
        assertThat(old.reservationId()).isEqualTo("r-old");
        assertThat(old.phase()).isEqualTo(ReservationPhase.HELD);
        assertThat(old.lines()).containsExactly(new ReservationLine("S", "L", 2));
        assertThat(old.createdBy()).isNull();

        // And today's record of the same reservation, with a caller, reads it back.
        final ReservationState now = new ReservationState("r-new", ReservationPhase.HELD, ReservationPhase.HELD, 2, 10,
            20, 30, "fp", null, List.of(new ReservationLine("S", "L", 2)), List.of(), "erp-eu");
        final Bytes<?> written = Bytes.allocateElasticOnHeap();
        JournalCodec.writeReservation(written, now);
        assertThat(JournalCodec.readReservation(written)).isEqualTo(now);
    }

    @Test
    void aReservationStoresItsPhaseCodesAndMinusOneForNoFirstOutcome()
    {
        for (final ReservationPhase phase : ReservationPhase.values())
        {
            for (final ReservationPhase first : Arrays.asList(null, ReservationPhase.HELD, ReservationPhase.REJECTED))
            {
                final ReservationState state = new ReservationState("r", phase, first, 4, 10, 20, 30, "fp", null,
                    List.of(new ReservationLine("S", "L", 2)), List.of());
                final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
                JournalCodec.writeReservation(bytes, state);
                // "r" is written as a one-byte stop-bit length and one byte: the phase bytes follow at 2 and 3
                assertThat(bytes.readByte(2)).as("phase byte").isEqualTo((byte)phase.code());
                assertThat(bytes.readByte(3)).as("firstOutcome byte, -1 for none")
                    .isEqualTo((byte)(first == null ? -1 : first.code()));
                assertThat(JournalCodec.readReservation(bytes)).isEqualTo(state);
            }
        }
    }

    @Test
    void anEffectStoresItsKindCodeAndReadsItBack()
    {
        for (final KeyEffect.Kind kind : KeyEffect.Kind.values())
        {
            final KeyEffect effect = new KeyEffect("S", "L", 5, 10, 1, 2, kind, "ref", 3, 40, 50);
            final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
            JournalCodec.writeEffect(bytes, effect);
            // sku and location ("S", "L") take two bytes each, then four longs: the kind byte is at 36
            assertThat(bytes.readByte(36)).as("kind byte").isEqualTo((byte)kind.code());
            assertThat(JournalCodec.readEffect(bytes)).isEqualTo(effect);
        }
    }

    @Test
    void anUnknownStoredCodeIsRefusedByName()
    {
        final Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.writeEffect(bytes, new KeyEffect("S", "L", 5, 10, 1, 2, KeyEffect.Kind.SET, "", 0, 0, 50));
        bytes.writeByte(36, (byte)99);
        assertThatThrownBy(() -> JournalCodec.readEffect(bytes)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("KeyEffect.Kind").hasMessageContaining("99");
    }

    /**
     * Every constant is pinned, to its pinned code; no two constants share a code; {@code of} finds every constant
     * by its code and refuses a code no constant has (naming the enum and the code).
     */
    static <E extends Enum<E>> void checkCodes(final Class<E> type, final Map<E, Integer> pins,
        final ToIntFunction<E> code, final IntFunction<E> of)
    {
        assertThat(pins.keySet()).as("every %s constant is pinned", type.getSimpleName())
            .isEqualTo(EnumSet.allOf(type));
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
                    .hasMessageContaining(type.getSimpleName())
                    .hasMessageContaining(Integer.toString(unknown));
            }
        }
    }
}
