package io.salespulse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alert document on sales.alerts (docs/contract.md): field names, ISO-8601 times, text kept as data. */
class AlertJsonTest {

    @Test
    void writesEveryContractFieldWithTimesAsIsoStrings() throws Exception {
        Alert a = new Alert();
        a.alertId = "stage_overdue:t1:c-1:contact:1767225600000";
        a.type = "stage_overdue";
        a.severity = "high";
        a.tenant = "t1";
        a.region = "华东";
        a.team = null;
        a.repId = "rep \"7\"";
        a.customerId = "c-1'; DROP TABLE alerts; --";
        a.stage = "contact";
        a.dueAt = 1_767_225_600_000L;
        a.firedAt = 1_767_225_600_000L;
        a.emittedAt = 1_767_225_601_234L;
        a.title = "客户待激活";
        a.message = "line 1\nline 2";
        a.suggestion = "今天联系";

        JsonNode n = Json.MAPPER.readTree(a.toJson());

        assertThat(n.fieldNames()).toIterable().containsExactly("alert_id", "type", "severity", "tenant", "region",
                "team", "rep_id", "customer_id", "stage", "due_at", "fired_at", "emitted_at", "title", "message",
                "suggestion", "origin");
        assertThat(n.get("origin").asText()).isEqualTo("live");
        assertThat(n.get("due_at").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(n.get("emitted_at").asText()).isEqualTo("2026-01-01T00:00:01.234Z");
        assertThat(n.get("team").isNull()).isTrue();
        assertThat(List.of(n.get("region").asText(), n.get("rep_id").asText(), n.get("customer_id").asText(),
                n.get("message").asText())).containsExactly("华东", "rep \"7\"", "c-1'; DROP TABLE alerts; --",
                "line 1\nline 2");
    }

    @Test
    void aRetractionNamesTheAlertItWithdraws() throws Exception {
        Alert a = new Alert();
        a.alertId = Alert.retractionId("stage_overdue:t1:c-1:contact:2026-01-01T00:00:00Z");
        a.type = Alert.RETRACTION;
        a.retracts = "stage_overdue:t1:c-1:contact:2026-01-01T00:00:00Z";
        a.origin = Alert.HISTORY;
        JsonNode n = Json.MAPPER.readTree(a.toJson());
        assertThat(n.get("alert_id").asText()).isEqualTo("retraction:stage_overdue:t1:c-1:contact:2026-01-01T00:00:00Z");
        assertThat(n.get("retracts").asText()).isEqualTo(a.retracts);
        assertThat(n.get("origin").asText()).isEqualTo("history");
    }

    @Test
    void anAlertWithoutDueTimeHasNoDueAtField() throws Exception {
        Alert a = new Alert();
        a.alertId = "funnel_drop:x";
        a.firedAt = 1L;
        a.emittedAt = 2L;
        assertThat(Json.MAPPER.readTree(a.toJson()).has("due_at")).isFalse();
    }
}
