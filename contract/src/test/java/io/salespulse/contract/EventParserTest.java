package io.salespulse.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {
    private static final long RECEIVED = Instant.parse("2026-01-12T02:06:00Z").toEpochMilli();
    private final EventParser parser = new EventParser(Duration.ofHours(1));

    private static final String STAGE = "{\"event_id\":\"s-77aa\",\"tenant\":\"weijiang\","
            + "\"occurred_at\":\"2026-01-12T10:05:00+08:00\",\"customer_id\":\"c-00042\",\"rep_id\":\"r-017\","
            + "\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"objection\",\"objection_tag\":\"price_high\","
            + "\"script_id\":\"kb-price-01\",\"high_potential\":true,\"deal_value\":12000.0,\"extra\":{\"x\":1}}";

    @Test
    void parsesTheContractExampleStageCard() throws Exception {
        StageEvent e = parser.parseStage(bytes(STAGE), RECEIVED);
        assertThat(e.eventId).isEqualTo("s-77aa");
        assertThat(e.occurredAt).isEqualTo(Instant.parse("2026-01-12T02:05:00Z").toEpochMilli());
        assertThat(e.stage).isEqualTo("objection");
        assertThat(e.objectionTag).isEqualTo("price_high");
        assertThat(e.scriptId).isEqualTo("kb-price-01");
        assertThat(e.highPotential).isTrue();
        assertThat(e.dealValue).isEqualTo(12000.0);
        assertThat(e.need).isNull();
    }

    @Test
    void parsesVisitAndAck() throws Exception {
        VisitEvent v = parser.parseVisit(bytes("{\"event_id\":\"v-9f1c\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"2026-01-12T09:30:00+08:00\",\"rep_id\":\"r-017\",\"customer_id\":\"c-00042\","
                + "\"store_id\":\"s-12\",\"region\":\"hz-west\",\"team\":\"t-3\",\"channel\":\"store_scan\","
                + "\"lat\":30.27,\"lon\":120.15,\"photo\":\"oss://bucket/p.jpg\"}"), RECEIVED);
        assertThat(v.channel).isEqualTo("store_scan");
        assertThat(v.lat).isEqualTo(30.27);
        AckEvent a = parser.parseAck(bytes("{\"event_id\":\"a-01\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"2026-01-12T10:00:00+08:00\",\"alert_id\":\"stage_overdue:weijiang:c-1:needs:"
                + "2026-01-14T02:05:00Z\",\"responder\":\"u-chen\",\"action\":\"ack\"}"), RECEIVED);
        assertThat(a.alertId).endsWith("2026-01-14T02:05:00Z");
        assertThat(a.action).isEqualTo("ack");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not json            | {\"event_id\": | not_json | not valid JSON",
        "array               | [1,2]          | not_object | must be a JSON object",
        "missing customer    | REMOVE:customer_id | missing_field | 'customer_id'",
        "unknown stage       | SET:stage:\"negotiation\" | unknown_value | 'stage' is 'negotiation'",
        "bad timestamp       | SET:occurred_at:\"2026-13-45T99:00\" | bad_timestamp | 'occurred_at'",
        "no offset           | SET:occurred_at:\"2026-01-12T10:05:00\" | bad_timestamp | with offset",
        "wrong type          | SET:high_potential:\"yes\" | wrong_type | 'high_potential' must be true or false",
        "number id           | SET:customer_id:42 | wrong_type | 'customer_id' must be a string",
        "missing tag         | REMOVE:objection_tag | missing_field | must carry 'objection_tag'",
        "unknown tag         | SET:objection_tag:\"too_pink\" | unknown_value | 'objection_tag'",
        "future clock        | SET:occurred_at:\"2026-01-13T10:05:00+08:00\" | bad_timestamp | device clock is ahead",
        "ancient clock       | SET:occurred_at:\"1970-01-01T00:00:00Z\" | bad_timestamp | before the year 2000",
        "negative value      | SET:deal_value:-5 | out_of_range | 'deal_value'",
    })
    void rejectsWithAReasonAPersonCanActOn(String name, String change, String code, String says) {
        String json = apply(STAGE, change.trim());
        assertThatThrownBy(() -> parser.parseStage(bytes(json), RECEIVED))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.code()).isEqualTo(code.trim());
                    assertThat(e.getMessage()).contains(says.trim());
                });
    }

    private static final String VISIT = "{\"event_id\":\"v-9f1c\",\"tenant\":\"weijiang\","
            + "\"occurred_at\":\"2026-01-12T09:30:00+08:00\",\"rep_id\":\"r-017\",\"customer_id\":\"c-00042\","
            + "\"region\":\"hz-west\",\"team\":\"t-3\",\"channel\":\"store_scan\",\"lat\":30.27,\"lon\":120.15,"
            + "\"accuracy\":25.0,\"photo\":\"oss://bucket/p.jpg\"}";

    @Test
    void visitCarriesItsPositionAccuracyAndPhoto() throws Exception {
        VisitEvent v = parser.parseVisit(bytes(VISIT), RECEIVED);
        assertThat(v.lat).isEqualTo(30.27);
        assertThat(v.lon).isEqualTo(120.15);
        assertThat(v.accuracy).isEqualTo(25.0);
        assertThat(v.photo).isEqualTo("oss://bucket/p.jpg");
        VisitEvent online = parser.parseVisit(bytes(apply(apply(apply(VISIT, "REMOVE:lat"), "REMOVE:lon"),
                "REMOVE:accuracy")), RECEIVED);
        assertThat(online.lat).isNull();
        assertThat(online.accuracy).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "latitude beyond a pole | SET:lat:91.5 | out_of_range | 'lat' must be between -90 and 90",
        "longitude beyond 180   | SET:lon:-180.01 | out_of_range | 'lon' must be between -180 and 180",
        "latitude as text       | SET:lat:\"30.27N\" | wrong_type | 'lat' must be a number",
        "latitude alone         | REMOVE:lon | bad_coordinates | only 'lat' is set",
        "longitude alone        | REMOVE:lat | bad_coordinates | only 'lon' is set",
        "zeros of a phone       | SET:lat:0 | bad_coordinates | leave both out",
        "negative accuracy      | SET:accuracy:-3 | out_of_range | 'accuracy' must be between 0 and 10000",
        "accuracy of a country  | SET:accuracy:25000 | out_of_range | 'accuracy'",
    })
    void rejectsBadPositionsWithAReason(String name, String change, String code, String says) {
        String json = apply(VISIT, change.trim());
        String fixed = change.trim().equals("SET:lat:0") ? apply(json, "SET:lon:0") : json;
        assertThatThrownBy(() -> parser.parseVisit(bytes(fixed), RECEIVED))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> {
                    assertThat(e.code()).isEqualTo(code.trim());
                    assertThat(e.getMessage()).contains(says.trim());
                });
    }

    @Test
    void accuracyWithoutAPositionIsRejected() {
        String json = apply(apply(VISIT, "REMOVE:lat"), "REMOVE:lon");
        assertThatThrownBy(() -> parser.parseVisit(bytes(json), RECEIVED))
                .hasFieldOrPropertyWithValue("code", "bad_coordinates");
    }

    @Test
    void rejectsInvalidUtf8AndHugeAndDeepRecords() {
        byte[] broken = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertThatThrownBy(() -> parser.parseStage(broken, RECEIVED))
                .hasFieldOrPropertyWithValue("code", "invalid_utf8");
        byte[] huge = ("{\"x\":\"" + "a".repeat(EventParser.MAX_RECORD_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> parser.parseStage(huge, RECEIVED)).hasFieldOrPropertyWithValue("code", "too_large");
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> parser.parseStage(bytes(deep), RECEIVED))
                .hasFieldOrPropertyWithValue("code", "not_json");
        assertThatThrownBy(() -> parser.parseStage(null, RECEIVED)).hasFieldOrPropertyWithValue("code", "empty");
    }

    @Test
    void requiredFieldPerStage() {
        String needs = STAGE.replace("\"objection\"", "\"needs\"");
        assertThatThrownBy(() -> parser.parseStage(bytes(needs), RECEIVED)).hasMessageContaining("'need'");
        String closing = STAGE.replace("\"objection\"", "\"closing\"");
        assertThatThrownBy(() -> parser.parseStage(bytes(closing), RECEIVED)).hasMessageContaining("'outcome'");
    }

    @Test
    void quotesAndSqlInValuesAreJustData() throws Exception {
        String json = STAGE.replace("c-00042", "c-'; DROP TABLE x; --\\\"");
        StageEvent e = parser.parseStage(bytes(json), RECEIVED);
        assertThat(e.customerId).isEqualTo("c-'; DROP TABLE x; --\"");
    }

    @Test
    void slaParsesOverridesAndRejectsNonsense() {
        StageSla sla = StageSla.parse("needs=48h, proposal=5d");
        assertThat(sla.of(Stage.NEEDS)).isEqualTo(Duration.ofHours(48));
        assertThat(sla.of(Stage.PROPOSAL)).isEqualTo(Duration.ofDays(5));
        assertThat(sla.of(Stage.CONTACT)).isEqualTo(Duration.ofHours(48));
        assertThatThrownBy(() -> StageSla.parse("negotiation=1h")).hasMessageContaining("unknown stage");
        assertThatThrownBy(() -> StageSla.parse("needs=soon")).hasMessageContaining("not a duration");
        assertThat(AlertIds.stageOverdue("weijiang", "c-00042", "needs", Instant.parse("2026-01-14T02:05:00Z")))
                .isEqualTo("stage_overdue:weijiang:c-00042:needs:2026-01-14T02:05:00Z");
    }

    private static String apply(String json, String change) {
        if (change.startsWith("REMOVE:")) {
            String field = change.substring(7);
            return json.replaceAll(",\"" + field + "\":(\"[^\"]*\"|[^,}]*)", "");
        }
        if (change.startsWith("SET:")) {
            String[] p = change.substring(4).split(":", 2);
            return json.replaceAll("\"" + p[0] + "\":(\"[^\"]*\"|[^,}]*)", "\"" + p[0] + "\":" + java.util.regex.Matcher.quoteReplacement(p[1]));
        }
        return change;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
