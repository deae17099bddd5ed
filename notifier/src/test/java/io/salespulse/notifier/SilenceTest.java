package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.alert;
import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Silences with the real notifier, broker, ClickHouse engine and WeCom stand-in: an alert matched by a running silence
 * (the row `bin/salespulse silence add` writes) is recorded in the ledger as {@code silenced} and not posted, and does
 * not escalate; one the silence does not match is posted and escalates; a silence that has ended silences nothing.
 */
class SilenceTest extends SharedStackTest {

    private static String ts(Instant t) {
        return "toDateTime64('" + t.toString().replace("T", " ").replace("Z", "") + "', 3, 'UTC')";
    }

    @Test
    void aMatchedAlertIsRecordedNotPostedAndNeverEscalates() throws Exception {
        Instant t0 = Instant.parse("2034-04-01T01:00:00Z");
        ManualTime time = new ManualTime(t0);
        String team = "key-si-team-" + Long.toHexString(System.nanoTime());
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team), time)) {
            Path routes = stack.writeRoutes("silence", "default_route: team\nroutes: {team: {}}\nescalation: {window: 4h}\n");
            NotifierConfig config = stack.config("silence", stub.url(), routes, Map.of());
            // r-007 is on leave in region hz-si for two days; an older silence of the whole region has ended.
            stack.execute("INSERT INTO salespulse.alert_silences (silence_id, tenant, alert_id, region, team, rep_id,"
                    + " customer_id, type, starts_at, ends_at, author, reason, source, created_at, version) VALUES"
                    + " ('cli-leave', 'weijiang', '', 'hz-si', '', 'r-007', '', '', " + ts(t0.minusSeconds(60)) + ", "
                    + ts(t0.plus(Duration.ofDays(2))) + ", 'u-chen', '年假', 'cli', " + ts(t0) + ", 1),"
                    + " ('cli-old', 'weijiang', '', 'hz-si', '', '', '', '', " + ts(t0.minus(Duration.ofDays(3))) + ", "
                    + ts(t0.minus(Duration.ofDays(1))) + ", 'u-chen', '系统故障', 'cli', " + ts(t0) + ", 1)");
            NotifierAlert onLeave = alert("si-leave", "high", "hz-si", "t-1", t0);
            NotifierAlert other = new NotifierAlert("si-other", "stage_overdue", "normal", "weijiang", "hz-si", "t-1",
                    "r-008", "c-si", "needs", t0, t0, "【客户待激活】客户 c-si", "m", "s", 0, "si-other");
            stack.produce(config.topicAlerts, List.of(onLeave, other), t0);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_TEAM", team)), time, RobotDispatcher.PostObserver.NONE)) {
                await("both settled", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id IN ('si-leave', 'si-other')"
                        + " AND status != 'sending'") == 2);
                stack.awaitDelivered("si-other");
                time.advance(Duration.ofHours(4).plusMinutes(1));
                await("si-other escalated", Duration.ofSeconds(30), () -> stub.received(team).size() == 2);
                Thread.sleep(1500);
                assertThat(n.failure()).isNull();
            }
            assertThat(stub.received(team)).extracting(WeComStub.Received::content)
                    .noneMatch(c -> c.contains("si-leave"));
            assertThat(stack.query("SELECT alert_id, status, error_code, error FROM salespulse.alert_deliveries FINAL"
                    + " WHERE origin_alert_id IN ('si-leave', 'si-other') ORDER BY alert_id")).containsExactly(
                    "escalation:si-other:1|delivered|ok|",
                    "si-leave|silenced|silenced|silence cli-leave until " + t0.plus(Duration.ofDays(2))
                            + ": recorded, posted then if still open",
                    "si-other|delivered|ok|");
        }
    }

    /**
     * A silence that ends while its alerts are still open lets them out, as one message: the alert whose customer sent
     * a card meanwhile stays recorded, not posted. An alert of the same silence that someone answered on its page is
     * not posted either.
     */
    @Test
    void whenTheSilenceEndsWhatIsStillOpenIsPosted() throws Exception {
        Instant t0 = Instant.parse("2034-05-02T02:00:00Z");
        ManualTime time = new ManualTime(t0);
        String run = Long.toHexString(System.nanoTime());
        String team = "key-se-team-" + run;
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team), time)) {
            Path routes = stack.writeRoutes("silence-end", "default_route: se-team\nroutes: {se-team: {}}\n");
            NotifierConfig config = stack.config("silence-end", stub.url(), routes, Map.of());
            // The region's system was down for two hours: silence it.
            stack.execute("INSERT INTO salespulse.alert_silences (silence_id, tenant, alert_id, region, team, rep_id,"
                    + " customer_id, type, starts_at, ends_at, author, reason, source, created_at, version) VALUES"
                    + " ('cli-outage-" + run + "', 'weijiang', '', 'hz-se-" + run + "', '', '', '', '', "
                    + ts(t0.minusSeconds(60)) + ", " + ts(t0.plus(Duration.ofHours(2))) + ", 'u-chen', '系统故障', 'cli', "
                    + ts(t0) + ", 1)");
            String moved = "c-se-moved-" + run;
            List<NotifierAlert> alerts = List.of(
                    new NotifierAlert("se-1-" + run, "stage_overdue", "high", "weijiang", "hz-se-" + run, "t-1", "r-1",
                            "c-se-1-" + run, "needs", t0, t0, "【客户待激活】客户 c-se-1", "m", "s", 0, "se-1-" + run),
                    new NotifierAlert("se-2-" + run, "stage_overdue", "normal", "weijiang", "hz-se-" + run, "t-1", "r-2",
                            "c-se-2-" + run, "needs", t0, t0, "【客户待激活】客户 c-se-2", "m", "s", 0, "se-2-" + run),
                    new NotifierAlert("se-moved-" + run, "stage_overdue", "normal", "weijiang", "hz-se-" + run, "t-1",
                            "r-3", moved, "needs", t0, t0, "【客户待激活】客户 moved", "m", "s", 0, "se-moved-" + run));
            stack.produce(config.topicAlerts, alerts, t0);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_SE_TEAM", team)), time, RobotDispatcher.PostObserver.NONE)) {
                await("three silenced", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'se-%" + run + "' AND status = 'silenced'"
                        + " AND held_until = " + ts(t0.plus(Duration.ofHours(2)))) == 3);
                stack.execute("INSERT INTO salespulse.stage_events (event_id, tenant, occurred_at, customer_id, rep_id,"
                        + " region, team, stage, high_potential, ingested_at) VALUES ('e-se-" + run + "', 'weijiang', "
                        + ts(t0.plus(Duration.ofMinutes(30))) + ", '" + moved + "', 'r-3', 'hz-se-" + run + "', 't-1',"
                        + " 'proposal', false, " + ts(t0) + ")");
                time.advance(Duration.ofHours(2).minusMinutes(1));
                Thread.sleep(1500);
                assertThat(stub.received(team)).isEmpty();
                time.advance(Duration.ofMinutes(2));
                await("posted once the silence ended", Duration.ofSeconds(30), () -> stub.received(team).size() == 1);
                assertThat(stub.received(team).get(0).content()).contains("【暂停结束】2 条预警").contains("c-se-1")
                        .contains("c-se-2").doesNotContain("moved");
                time.advance(Duration.ofMinutes(5));
                Thread.sleep(1500);
                assertThat(stub.received(team)).hasSize(1);
                assertThat(n.failure()).isNull();
            }
            assertThat(stack.query("SELECT alert_id, status, held_reason FROM salespulse.alert_deliveries FINAL"
                    + " WHERE alert_id LIKE 'se-%" + run + "' ORDER BY alert_id")).containsExactly(
                    "se-1-" + run + "|digested|silenced", "se-2-" + run + "|digested|silenced",
                    "se-moved-" + run + "|silenced|silenced");
        }
    }

    /**
     * A policy declares a rep's leave: the notifier writes it into alert_silences (source policy, author the policy's
     * updated_by), the rep's alert is recorded not posted, a colleague's is posted. The next version of the policy drops
     * the leave (the rep came back early): the silence row ends then, and the held alert goes out at once.
     */
    @Test
    void aPolicySilenceWorksLikeAnyOtherAndEndsWhenThePolicyDropsIt() throws Exception {
        Instant t0 = Instant.parse("2034-07-03T02:00:00Z");
        ManualTime time = new ManualTime(t0);
        String run = Long.toHexString(System.nanoTime());
        String team = "key-ps-team-" + run;
        String scope = "weijiang/hz-ps-" + run;
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team), time)) {
            Path routes = stack.writeRoutes("policy-silence", "default_route: ps-team\nroutes: {ps-team: {}}\n");
            NotifierConfig config = stack.config("policy-silence", stub.url(), routes, Map.of());
            stack.kafka.createTopics(1, config.topicPolicies);
            stack.publishPolicy(config.topicPolicies, scope, "{\"version\":1,\"updated_at\":\"2034-07-01T09:00:00+08:00\","
                    + "\"updated_by\":\"u-chen\",\"silences\":[{\"id\":\"leave-r-1\",\"rep_id\":\"r-1\",\"reason\":\"年假\","
                    + "\"starts_at\":\"2034-07-01T00:00:00+08:00\",\"ends_at\":\"2034-07-08T00:00:00+08:00\"}]}");
            NotifierAlert onLeave = new NotifierAlert("ps-leave-" + run, "stage_overdue", "normal", "weijiang",
                    "hz-ps-" + run, "t-1", "r-1", "c-ps-1", "needs", t0, t0, "【客户待激活】客户 c-ps-1", "m", "s", 0,
                    "ps-leave-" + run);
            NotifierAlert colleague = new NotifierAlert("ps-other-" + run, "stage_overdue", "normal", "weijiang",
                    "hz-ps-" + run, "t-1", "r-2", "c-ps-2", "needs", t0, t0, "【客户待激活】客户 c-ps-2", "m", "s", 0,
                    "ps-other-" + run);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes,
                    Map.of("SALESPULSE_WECOM_KEY_PS_TEAM", team)), time, RobotDispatcher.PostObserver.NONE)) {
                String silenceId = "policy:" + scope + ":leave-r-1";
                await("the policy's silence written", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_silences FINAL WHERE silence_id = '" + silenceId + "' AND source = 'policy'"
                        + " AND author = 'u-chen' AND rep_id = 'r-1' AND region = 'hz-ps-" + run + "'") == 1);
                stack.produce(config.topicAlerts, List.of(onLeave, colleague), t0);
                await("the colleague's posted", Duration.ofSeconds(30), () -> stub.received(team).size() == 1);
                await("the rep's silenced by the policy", Duration.ofSeconds(30), () -> stack.count("SELECT count()"
                        + " FROM salespulse.alert_deliveries FINAL WHERE alert_id = 'ps-leave-" + run + "' AND status ="
                        + " 'silenced' AND error LIKE 'silence " + silenceId + " until%'") == 1);
                assertThat(stub.received(team).get(0).content()).contains("c-ps-2");

                time.advance(Duration.ofHours(1));
                stack.publishPolicy(config.topicPolicies, scope, "{\"version\":2,\"updated_at\":\"2034-07-03T11:00:00+08:00\","
                        + "\"updated_by\":\"u-chen\"}");
                await("the silence ended", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_silences FINAL WHERE silence_id = '" + silenceId + "' AND ends_at = "
                        + ts(t0.plus(Duration.ofHours(1))) + "") == 1);
                time.advance(Duration.ofMinutes(1));
                await("the held alert posted", Duration.ofSeconds(30), () -> stub.received(team).size() == 2);
                assertThat(stub.received(team).get(1).content()).contains("c-ps-1");
                assertThat(n.failure()).isNull();
            }
        }
    }
}
