package io.salespulse.notifier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.salespulse.contract.Json;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.wecom.Utf8;
import io.salespulse.notifier.wecom.WeComClient;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The ops message for a large Alertmanager group stays within WeCom's markdown limit and says what it left out. */
class OpsAlertWebhookTest {
    @Test
    void aLargeGroupIsCutToWeComsLimitWithANote() {
        OpsAlertWebhook webhook = new OpsAlertWebhook(new WeComClient(URI.create("http://127.0.0.1:9/"), Duration.ofSeconds(1)),
                () -> null, "ops", ZoneId.of("Asia/Shanghai"), new NotifierMetrics(NotifierTime.SYSTEM));
        ObjectNode payload = Json.MAPPER.createObjectNode().put("status", "firing");
        ArrayNode alerts = payload.putArray("alerts");
        for (int i = 0; i < 200; i++) {
            ObjectNode a = alerts.addObject().put("status", "firing").put("startsAt", "2031-01-06T01:00:00Z");
            a.putObject("labels").put("alertname", "SalesPulseNoNewCards").put("severity", "warning").put("tenant", "租户-" + i);
            a.putObject("annotations").put("summary", "No stage cards from tenant 租户-" + i + " for 2 hours during working hours");
        }
        String md = webhook.markdown(payload);
        assertThat(Utf8.bytes(md)).isLessThanOrEqualTo(OpsAlertWebhook.MAX_BYTES);
        assertThat(md).startsWith("**【SalesPulse 运维】告警** 触发中 200 条，已恢复 0 条").contains("tenant=租户-0")
                .containsPattern("另有 \\d+ 条未列出");
        int shown = md.split("\\*\\*SalesPulseNoNewCards\\*\\*", -1).length - 1;
        assertThat(md).contains("另有 " + (200 - shown) + " 条未列出");
    }
}
