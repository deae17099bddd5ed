package io.salespulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The parser's fast paths (added for the throughput benchmark) against the strict paths they shortcut: the
 * same accepted values, and nothing accepted that the strict path rejects.
 */
class EventParserFastPathTest {

    @Test
    void timestampsEqualTheFormattersOrFallBack() {
        List<String> cases = new ArrayList<>(List.of("2026-01-12T09:30:00+08:00", "2026-01-12T09:30:00Z",
                "2026-01-12T09:30:00.5+08:00", "2026-01-12T09:30:00.123456789-05:30", "2026-01-12T09:30:00.1234567891Z",
                "2026-02-29T00:00:00Z", "2024-02-29T23:59:59+14:00", "2026-13-45T99:00:00+08:00", "2026-01-12T09:30+08:00",
                "2026-01-12t09:30:00Z", "2026-01-12T09:30:00-00:00", "2026-01-12T09:30:00+18:00", "2026-01-12T09:30:00+17:59",
                "2026-01-12T24:00:00Z", "2026-01-12T23:59:60Z", "2026-01-12T09:30:00.Z", "2026-01-12T09:30:00+0800",
                "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "2026-01-12T09:30:00+08:00:00", "2026-04-31T00:00:00Z",
                "+2026-01-12T09:30:00Z", "2026-01-12 09:30:00Z", "2026-01-12T09:30:00z"));
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 20_000; i++) {
            cases.add(String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", r.nextInt(1990, 2040), r.nextInt(0, 14),
                    r.nextInt(0, 33), r.nextInt(0, 25), r.nextInt(0, 61), r.nextInt(0, 61),
                    r.nextBoolean() ? "" : "." + "123456789".substring(0, r.nextInt(1, 10)),
                    r.nextInt(4) == 0 ? "Z" : String.format("%s%02d:%02d", r.nextBoolean() ? "+" : "-", r.nextInt(0, 20),
                            r.nextInt(0, 61))));
        }
        for (String t : cases) {
            long fast = EventParser.fastEpochMillis(t);
            Long strict;
            try {
                strict = OffsetDateTime.parse(t).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                strict = null;
            }
            if (fast != Long.MIN_VALUE) {
                assertThat(strict).as(t).isEqualTo(fast);
            }
        }
    }

    @Test
    void utf8CheckAcceptsExactlyWhatTheStrictDecoderAccepts() {
        SplittableRandom r = new SplittableRandom(2);
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE4, 0xED, 0xEF, 0xF0, 0xF4,
            0xF5, 0xFF, 0x9F, 0xA0, 0x8F, 0x90, 0xB8, 0xAD};
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(1, 7)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : interesting[r.nextInt(interesting.length)]);
            }
            assertThat(EventParser.wellFormedUtf8(b)).as("%s", java.util.HexFormat.of().formatHex(b)).isEqualTo(strict(b));
        }
        assertThat(EventParser.wellFormedUtf8("需求确认 ok 😀".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void fastJsonPathGivesTheSameEventsAndVerdicts() throws Exception {
        EventParser parser = new EventParser();
        byte[] card = ("{\"event_id\":\"e1\",\"tenant\":\"t\",\"occurred_at\":\"2026-01-12T09:30:00.250+08:00\","
                + "\"customer_id\":\"c\",\"rep_id\":\"r\",\"region\":\"hz\",\"team\":\"t-1\",\"stage\":\"needs\","
                + "\"need\":\"货架位置\",\"deal_value\":10500}").getBytes(StandardCharsets.UTF_8);
        var e = parser.parseStage(card, 1_800_000_000_000L);
        assertThat(e.occurredAt).isEqualTo(OffsetDateTime.parse("2026-01-12T09:30:00.250+08:00").toInstant().toEpochMilli());
        assertThat(e.need).isEqualTo("货架位置");
        assertThat(e.dealValue).isEqualTo(10500.0);
        // A byte-order mark, invalid UTF-8 and broken JSON keep the strict path's verdicts.
        byte[] bom = new byte[card.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(card, 0, bom, 3, card.length);
        assertThat(code(parser, bom)).isEqualTo("not_json");
        byte[] bad = card.clone();
        bad[bad.length - 5] = (byte) 0xC0;
        assertThat(code(parser, bad)).isEqualTo("invalid_utf8");
        assertThat(code(parser, "{\"event_id\":".getBytes(StandardCharsets.UTF_8))).isEqualTo("not_json");
    }

    private static String code(EventParser parser, byte[] value) {
        try {
            parser.parseStage(value, 1_800_000_000_000L);
            return "accepted";
        } catch (InvalidEventException e) {
            return e.code();
        }
    }

    private static boolean strict(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
