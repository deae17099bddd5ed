package io.salespulse.contract.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Stage;
import io.salespulse.contract.StageSla;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PolicyParserTest {
    private static final PolicyParser PARSER = new PolicyParser(Duration.ofDays(30), ZoneId.of("Asia/Shanghai"));
    private static final String HEAD = "\"version\":3,\"updated_at\":\"2026-03-03T09:00:00+08:00\",\"updated_by\":\"u-chen\"";

    @Test
    void parsesEverySetting() throws Exception {
        Policy p = parse("weijiang/hz-west", "{" + HEAD + ",\"sla\":{\"needs\":\"48h\",\"proposal\":null},"
                + "\"funnel_drop\":{\"threshold_pct\":15,\"min_volume\":20},\"escalation\":{\"region_manager\":\"4h\"},"
                + "\"calendar\":{},\"alert_types\":{\"funnel_drop\":false}}");
        assertThat(p.scope()).isEqualTo("weijiang/hz-west");
        assertThat(p.version()).isEqualTo(3);
        assertThat(p.updatedBy()).isEqualTo("u-chen");
        assertThat(p.sla()).containsOnly(Map.entry(Stage.NEEDS, Duration.ofHours(48)));
        assertThat(p.funnelDropThresholdPct()).isEqualTo(15.0);
        assertThat(p.funnelMinVolume()).isEqualTo(20);
        assertThat(p.escalation()).containsEntry("region_manager", Duration.ofHours(4));
        assertThat(p.calendar()).isEqualTo(BusinessCalendar.officeHours(ZoneId.of("Asia/Shanghai")));
        assertThat(p.alertTypes()).containsOnly(Map.entry("funnel_drop", false));
        assertThat(p.json()).contains("\"scope\":\"weijiang/hz-west\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing version | {\"updated_at\":\"2026-03-03T09:00:00+08:00\",\"updated_by\":\"u\"} | missing_field | 'version'",
        "version zero | {\"version\":0,\"updated_at\":\"2026-03-03T09:00:00+08:00\",\"updated_by\":\"u\"} | wrong_type | 'version'",
        "no offset | {\"version\":1,\"updated_at\":\"2026-03-03T09:00\",\"updated_by\":\"u\"} | bad_timestamp | 'updated_at'",
        "misspelt stage | {HEAD,\"sla\":{\"need\":\"48h\"}} | unknown_value | 'sla.need'",
        "not a duration | {HEAD,\"sla\":{\"needs\":\"soon\"}} | wrong_type | 'sla.needs'",
        "SLA beyond ttl | {HEAD,\"sla\":{\"closing\":\"31d\"}} | out_of_range | state.ttl",
        "unknown field | {HEAD,\"slas\":{}} | unknown_value | 'slas'",
        "unknown alert type | {HEAD,\"alert_types\":{\"overdue\":false}} | unknown_value | 'alert_types.overdue'",
        "bad zone | {HEAD,\"calendar\":{\"time_zone\":\"Mars/Base\"}} | unknown_value | 'calendar.time_zone'",
        "bad hours | {HEAD,\"calendar\":{\"working_hours\":{\"mon\":\"9-18\"}}} | wrong_type | 'calendar.working_hours.mon'",
        "backwards hours | {HEAD,\"calendar\":{\"working_hours\":{\"mon\":\"18:00-09:00\"}}} | out_of_range | 18:00-09:00",
        "bad holiday | {HEAD,\"calendar\":{\"holidays\":[\"2026-02-30\"]}} | bad_timestamp | 2026-02-30",
        "threshold | {HEAD,\"funnel_drop\":{\"threshold_pct\":150}} | out_of_range | threshold_pct",
        "scope mismatch | {HEAD,\"scope\":\"other\"} | bad_scope | 'scope'",
        "not json | {HEAD | not_json | JSON",
        "array | [] | not_object | object",
    })
    void rejectsWithAReasonNamingTheField(String what, String doc, String code, String mentions) {
        assertThatThrownBy(() -> parse("weijiang", doc.replace("{HEAD", "{" + HEAD)))
                .isInstanceOfSatisfying(InvalidEventException.class, e -> assertThat(e.code()).isEqualTo(code))
                .hasMessageContaining(mentions);
    }

    @Test
    void silencesAreReadAndMistakesNameTheField() throws Exception {
        String leave = "{\"id\":\"leave-r-7\",\"rep_id\":\"r-7\",\"reason\":\"年假\","
                + "\"starts_at\":\"2026-12-07T00:00:00+08:00\",\"ends_at\":\"2026-12-12T00:00:00+08:00\"}";
        Policy p = parse("weijiang/hz-west", "{" + HEAD + ",\"silences\":[" + leave + "]}");
        assertThat(PolicySilence.of(p)).containsExactly(new PolicySilence("leave-r-7", "r-7", "", "",
                java.time.Instant.parse("2026-12-06T16:00:00Z"), java.time.Instant.parse("2026-12-11T16:00:00Z"), "年假"));
        assertThat(p.fieldValues()).containsKey("silences");
        assertThat(Policy.changedFields(parse("weijiang/hz-west", "{" + HEAD + "}"), p)).containsExactly("silences");
        assertThatThrownBy(() -> parse("weijiang", "{" + HEAD + ",\"silences\":[" + leave.replace("\"rep_id\":\"r-7\",", "")
                + "]}")).hasMessageContaining("'silences[0]' would silence every alert of tenant weijiang");
        assertThat(PolicySilence.of(parse("weijiang", "{" + HEAD + ",\"silences\":["
                + leave.replace("\"rep_id\":\"r-7\",", "\"everything\":true,") + "]}"))).hasSize(1);
        assertThatThrownBy(() -> parse("weijiang/hz-west", "{" + HEAD + ",\"silences\":["
                + leave.replace("2026-12-12", "2026-12-01") + "]}")).hasMessageContaining("'silences[0].ends_at' must be after");
        assertThatThrownBy(() -> parse("weijiang/hz-west", "{" + HEAD + ",\"silences\":[" + leave + "," + leave + "]}"))
                .hasMessageContaining("'silences[1].id' repeats");
        assertThatThrownBy(() -> parse("weijiang/hz-west", "{" + HEAD + ",\"silences\":["
                + leave.replace("rep_id", "rep") + "]}")).hasMessageContaining("'silences[0].rep' is not known");
        assertThatThrownBy(() -> parse("weijiang/hz-west", "{" + HEAD + ",\"silences\":["
                + leave.replace("2026-12-07T00:00:00+08:00", "next monday") + "]}"))
                .hasMessageContaining("'silences[0].starts_at' is 'next monday'");
    }

    @Test
    void scopesAreTenantRegionOrTeam() {
        assertThatThrownBy(() -> PolicyParser.scope(null)).hasMessageContaining("no key");
        assertThatThrownBy(() -> PolicyParser.scope("a/b/c/d")).hasMessageContaining("not a scope");
        assertThatThrownBy(() -> PolicyParser.scope("a//c")).hasMessageContaining("empty");
        assertThat(Policy.covers("weijiang/hz-west", "weijiang", "hz-west", "t-3")).isTrue();
        assertThat(Policy.covers("weijiang/hz-west", "weijiang", "hz-east", "t-3")).isFalse();
        assertThat(Policy.covers("weijiang", "weijiangx", "hz-west", "t-3")).isFalse();
    }

    @Test
    void theMostSpecificScopeWinsAndMissingFieldsInherit() throws Exception {
        Map<String, Policy> byScope = new HashMap<>();
        byScope.put("weijiang", parse("weijiang", "{" + HEAD + ",\"sla\":{\"contact\":\"24h\",\"needs\":\"36h\"},"
                + "\"calendar\":{},\"alert_types\":{\"coaching\":false}}"));
        byScope.put("weijiang/hz-west", parse("weijiang/hz-west", "{" + HEAD + ",\"sla\":{\"needs\":\"12h\"}}"));
        byScope.put("weijiang/hz-west/t-3", parse("weijiang/hz-west/t-3", "{" + HEAD
                + ",\"sla\":{\"proposal\":\"10h\"},\"alert_types\":{\"stage_overdue\":false}}"));
        byScope.put("weijiang/hz-east", parse("weijiang/hz-east", "{" + HEAD + ",\"sla\":{\"needs\":\"99h\"}}"));

        EffectivePolicy team = EffectivePolicy.resolve(StageSla.defaults(), byScope::get, "weijiang", "hz-west", "t-3");
        assertThat(team.sla(Stage.CONTACT)).isEqualTo(Duration.ofHours(24));   // tenant
        assertThat(team.sla(Stage.NEEDS)).isEqualTo(Duration.ofHours(12));    // region beats tenant
        assertThat(team.sla(Stage.PROPOSAL)).isEqualTo(Duration.ofHours(10));  // team
        assertThat(team.sla(Stage.CLOSING)).isEqualTo(Duration.ofHours(168));  // job default
        assertThat(team.calendar()).isNotNull();                               // inherited from the tenant
        assertThat(team.alertEnabled("stage_overdue")).isFalse();
        assertThat(team.alertEnabled("coaching")).isFalse();
        assertThat(team.alertEnabled("funnel_drop")).isTrue();
        assertThat(team.sources()).containsEntry("sla.needs", "weijiang/hz-west").containsEntry("sla.closing", "default");

        EffectivePolicy otherTeam = EffectivePolicy.resolve(StageSla.defaults(), byScope::get, "weijiang", "hz-west", "t-9");
        assertThat(otherTeam.sla(Stage.PROPOSAL)).isEqualTo(Duration.ofHours(120));
        assertThat(otherTeam.alertEnabled("stage_overdue")).isTrue();
        EffectivePolicy otherTenant = EffectivePolicy.resolve(StageSla.defaults(), byScope::get, "other", "hz-west", "t-3");
        assertThat(otherTenant.sla(Stage.NEEDS)).isEqualTo(Duration.ofHours(72));
        assertThat(otherTenant.calendar()).isNull();
    }

    @Test
    void changedFieldsNameWhatAChangeDid() throws Exception {
        Policy v1 = parse("weijiang", "{" + HEAD + ",\"sla\":{\"needs\":\"48h\",\"contact\":\"24h\"}}");
        Policy v2 = parse("weijiang", "{" + HEAD.replace("3", "4") + ",\"sla\":{\"needs\":\"24h\",\"contact\":\"24h\"},\"calendar\":{}}");
        assertThat(Policy.changedFields(v1, v2)).containsExactly("calendar", "sla.needs");
        assertThat(Policy.changedFields(v2, null)).containsExactly("calendar", "sla.contact", "sla.needs");
    }

    private static Policy parse(String scope, String doc) throws InvalidEventException {
        return PARSER.parse(scope, doc.getBytes(StandardCharsets.UTF_8));
    }
}
