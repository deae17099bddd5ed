package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.policy.BusinessCalendar;
import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Quiet hours with the real notifier, broker, ClickHouse engine and WeCom stand-in, for a tenant whose run-time policy
 * has working hours (Mon-Fri 09:00-18:00, Asia/Shanghai): what arises at night is held, not posted, and goes out at
 * the opening as one morning message, without the alerts whose customer moved meanwhile; a rule marked urgent posts
 * at once; escalation waits count working time from when the group was told. Over three simulated days of alerts
 * (night and day, escalating unanswered), no message reaches a group outside working hours except the urgent ones.
 */
class QuietHoursTest extends SharedStackTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static final String CALENDAR = "{\"version\":1,\"updated_at\":\"2035-01-01T09:00:00+08:00\","
            + "\"updated_by\":\"u-chen\",\"calendar\":{\"time_zone\":\"Asia/Shanghai\",\"working_hours\":{"
            + "\"mon\":\"09:00-18:00\",\"tue\":\"09:00-18:00\",\"wed\":\"09:00-18:00\",\"thu\":\"09:00-18:00\","
            + "\"fri\":\"09:00-18:00\"}}}";

    private static NotifierAlert overdue(String id, String severity, String customer, Instant firedAt) {
        return new NotifierAlert(id, "stage_overdue", severity, "weijiang", "hz-q", "t-1", "r-007", customer, "needs",
                firedAt, firedAt, "【客户待激活】客户 " + customer + " 「需求确认」后超时未推进", "m", "s", 0, id);
    }

    private static String ts(Instant t) {
        return "toDateTime64('" + t.toString().replace("T", " ").replace("Z", "") + "', 3, 'UTC')";
    }

    /** A drop alert itself (its rule is urgent), not an escalation or a digest that mentions one. */
    private static boolean urgentPost(WeComStub.Received p) {
        return p.content().contains("【转化下降】") && !p.content().contains("升级至") && !p.content().contains("汇总");
    }

    private static final String ROUTES = """
            default_route: team
            routes: {team: {}, region: {}, director: {}}
            rules:
              - match: {level: team}
                routes: [team]
              - match: {type: funnel_drop, severity: high}
                routes: [team]
                urgent: true
              - match: {level: region}
                routes: [region]
              - match: {level: director}
                routes: [director]
            escalation: {window: 4h}
            """;

    @Test
    void nightAlertsGoOutAsOneMorningMessageAndEscalationCountsWorkingTime() throws Exception {
        Instant tuesdayNight = Instant.parse("2035-03-06T14:00:00Z"); // 22:00 in Shanghai
        Instant wednesdayOpening = Instant.parse("2035-03-07T01:00:00Z");
        ManualTime time = new ManualTime(tuesdayNight);
        String run = Long.toHexString(System.nanoTime());
        String team = "key-qh-team-" + run;
        String region = "key-qh-region-" + run;
        String director = "key-qh-director-" + run;
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_TEAM", team, "SALESPULSE_WECOM_KEY_REGION", region,
                "SALESPULSE_WECOM_KEY_DIRECTOR", director);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team, region, director), time)) {
            Path routes = stack.writeRoutes("quiet", ROUTES);
            NotifierConfig config = stack.config("quiet", stub.url(), routes, Map.of());
            stack.kafka.createTopics(1, config.topicPolicies);
            stack.publishPolicy(config.topicPolicies, "weijiang", CALENDAR);
            String moved = "c-qh-moved-" + run;
            NotifierAlert urgent = new NotifierAlert("qh-drop-" + run, "funnel_drop", "high", "weijiang", "hz-q", "t-1",
                    "", "", "proposal", null, tuesdayNight, "【转化下降】hz-q 区域「方案呈现」转化率从 62% 降至 35%", "m", "s",
                    0, "qh-drop-" + run);
            stack.produce(config.topicAlerts, List.of(overdue("qh-1-" + run, "normal", "c-qh-1", tuesdayNight),
                    overdue("qh-2-" + run, "high", "c-qh-2", tuesdayNight),
                    overdue("qh-moved-" + run, "normal", moved, tuesdayNight), urgent), tuesdayNight);
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("the urgent one posted at night", Duration.ofSeconds(30), () -> stub.received(team).size() == 1);
                await("three held", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'qh-%" + run + "' AND status = 'held'"
                        + " AND held_reason = 'quiet_hours' AND held_until = " + ts(wednesdayOpening)) == 3);
                assertThat(stub.received(team).get(0).content()).contains("转化下降");
                // The moved customer's next card arrives at 23:30.
                stack.execute("INSERT INTO salespulse.stage_events (event_id, tenant, occurred_at, customer_id, rep_id,"
                        + " region, team, stage, high_potential, ingested_at) VALUES ('e-qh-" + run + "', 'weijiang', "
                        + ts(tuesdayNight.plus(Duration.ofMinutes(90))) + ", '" + moved + "', 'r-007', 'hz-q', 't-1',"
                        + " 'proposal', false, " + ts(tuesdayNight) + ")");

                time.advance(Duration.between(tuesdayNight, wednesdayOpening).minusMinutes(1)); // 08:59
                Thread.sleep(1500);
                assertThat(stub.received(team)).hasSize(1);
                time.advance(Duration.ofMinutes(2)); // 09:01
                await("the morning message", Duration.ofSeconds(30), () -> stub.received(team).size() == 2);
                String morning = stub.received(team).get(1).content();
                assertThat(morning).contains("【早间汇总】非工作时间新增 2 条预警").contains("c-qh-1").contains("c-qh-2")
                        .doesNotContain(moved).contains("[处理](");
                await("recorded as digested", Duration.ofSeconds(30), () -> stack.count("SELECT count() FROM"
                        + " salespulse.alert_deliveries FINAL WHERE alert_id IN ('qh-1-" + run + "', 'qh-2-" + run + "')"
                        + " AND status = 'digested' AND held_reason = 'quiet_hours' AND held_alert = ''") == 2);
                assertThat(stack.query("SELECT status FROM salespulse.alert_deliveries FINAL WHERE alert_id = 'qh-moved-"
                        + run + "'")).containsExactly("held");

                // Told at 09:01 with a 4 h window: the region hears at 13:01, working time (the day is long enough).
                time.advance(Duration.ofHours(4).minusMinutes(2));
                Thread.sleep(1500);
                assertThat(stub.received(region)).isEmpty();
                time.advance(Duration.ofMinutes(2));
                // The urgent drop asks for an action: it escalates at its deadline (told Tuesday 22:00, + 24 h is
                // Wednesday 22:00, after closing: Thursday 09:00), not 4 h after the opening.
                await("escalations of the morning's two", Duration.ofSeconds(30), () -> stub.received(region).size() == 2);
                assertThat(stub.received(region)).extracting(WeComStub.Received::content)
                        .anyMatch(c -> c.contains("qh-1-")).anyMatch(c -> c.contains("qh-2-"))
                        .noneMatch(c -> c.contains("qh-drop-"));

                // Told at 16:00: 2 h left today, 2 h tomorrow -> Thursday 11:00, not Wednesday 20:00.
                Instant wednesday1600 = Instant.parse("2035-03-07T08:00:00Z");
                time.advance(Duration.between(time.now(), wednesday1600));
                stack.produce(config.topicAlerts, List.of(overdue("qh-late-" + run, "normal", "c-qh-late", wednesday1600)),
                        wednesday1600);
                await("qh-late posted in working time", Duration.ofSeconds(30), () -> stub.received(team).size() == 3);
                stack.awaitDelivered("qh-late-" + run);
                time.advance(Duration.ofHours(4).plusMinutes(1)); // 20:01: wall-clock escalation would fire now
                Thread.sleep(1500);
                long lateEscalations = stub.received(region).stream().filter(r -> r.content().contains("qh-late")).count();
                assertThat(lateEscalations).isZero();
                time.advance(Duration.between(time.now(), Instant.parse("2035-03-08T02:59:00Z"))); // Thu 10:59
                Thread.sleep(1500);
                assertThat(stub.received(region).stream().filter(r -> r.content().contains("qh-late"))).isEmpty();
                time.advance(Duration.ofMinutes(2));
                await("qh-late escalated Thursday 11:00", Duration.ofSeconds(30), () -> stub.received(region).stream()
                        .anyMatch(r -> r.content().contains("qh-late")));
                assertThat(n.failure()).isNull();
            }
        }
    }

    /**
     * Three simulated days: 90 alerts at seeded random moments (nights and a weekend day included), none answered, each
     * escalating team -> region -> director with 2 h windows. Every post must fall in working time, urgent ones aside.
     */
    @Test
    void threeSimulatedDaysPostNothingOutsideWorkingHours() throws Exception {
        Instant start = Instant.parse("2035-03-08T10:00:00Z"); // Thursday 18:00 in Shanghai, a closing time
        ManualTime time = new ManualTime(start);
        String run = Long.toHexString(System.nanoTime());
        String team = "key-qs-team-" + run;
        String region = "key-qs-region-" + run;
        String director = "key-qs-director-" + run;
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_TEAM", team, "SALESPULSE_WECOM_KEY_REGION", region,
                "SALESPULSE_WECOM_KEY_DIRECTOR", director);
        BusinessCalendar hours = BusinessCalendar.officeHours(SHANGHAI);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(team, region, director), time)) {
            Path routes = stack.writeRoutes("quiet-days", ROUTES.replace("window: 4h", "window: 2h"));
            NotifierConfig config = stack.config("quiet-days", stub.url(), routes, Map.of());
            stack.kafka.createTopics(1, config.topicPolicies);
            stack.publishPolicy(config.topicPolicies, "weijiang", CALENDAR);
            Random rnd = new Random(20350308L);
            List<Instant> at = new ArrayList<>();
            for (int i = 0; i < 90; i++) {
                at.add(start.plusSeconds(rnd.nextInt(72 * 3600)));
            }
            at.sort(null);
            int urgentCount = 0;
            int nightCount = 0;
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("policies read", Duration.ofSeconds(30), () -> n.policyRecordsRead() == 1);
                int next = 0;
                for (Instant step = start; !step.isAfter(start.plus(Duration.ofHours(96))); step = step.plusSeconds(3600)) {
                    time.advance(Duration.between(time.now(), step));
                    List<NotifierAlert> due = new ArrayList<>();
                    while (next < at.size() && !at.get(next).isAfter(step)) {
                        Instant t = at.get(next);
                        boolean urgent = next % 15 == 0;
                        String id = "qs-" + next + "-" + run;
                        due.add(urgent ? new NotifierAlert(id, "funnel_drop", "high", "weijiang", "hz-q", "t-1", "", "",
                                "proposal", null, t, "【转化下降】hz-q 区域「方案呈现」", "m", "s", 0, id)
                                : overdue(id, next % 3 == 0 ? "high" : "normal", "c-qs-" + next, t));
                        urgentCount += urgent ? 1 : 0;
                        nightCount += !urgent && !hours.isWorkingTime(step) ? 1 : 0;
                        next++;
                    }
                    if (!due.isEmpty()) {
                        stack.produce(config.topicAlerts, due, step);
                    }
                    int expected = next;
                    Instant now = step;
                    // The step is over once its alerts are decided and the notifier has checked holds and
                    // escalations at this time and posted what that released.
                    await("the step's alerts recorded", Duration.ofSeconds(30), () -> stack.count("SELECT count()"
                            + " FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'qs-%" + run + "'"
                            + " AND status != 'sending'") >= expected && n.lastCheck() != null
                            && !n.lastCheck().isBefore(now));
                    await("what the step released posted", Duration.ofSeconds(30), () -> n.waitingDeliveries() == 0);
                    // An escalation raised at this step goes through Kafka and back before it is decided: the step
                    // is over only once each one raised so far has its delivery row (posted or held), or the clock
                    // would move on while its post is on the way and the stand-in would stamp it with the next hour.
                    await("the step's escalations decided", Duration.ofSeconds(30), () -> stack.count("SELECT count()"
                            + " FROM salespulse.alerts FINAL WHERE alert_id LIKE 'escalation:qs-%" + run + "%'")
                            == stack.count("SELECT count(DISTINCT alert_id) FROM salespulse.alert_deliveries FINAL"
                            + " WHERE alert_id LIKE 'escalation:qs-%" + run + "%' AND status NOT IN ('sending')")
                            && n.waitingDeliveries() == 0);
                }
                Thread.sleep(1500);
                assertThat(n.failure()).isNull();
            }
            List<WeComStub.Received> posts = stub.received();
            List<WeComStub.Received> outside = posts.stream().filter(p -> !hours.isWorkingTime(p.at()))
                    .filter(p -> !urgentPost(p)).toList();
            long urgentAtNight = posts.stream().filter(p -> !hours.isWorkingTime(p.at())).filter(p -> urgentPost(p))
                    .count();
            System.out.printf("Quiet hours over 3 simulated days: %d alerts (%d urgent), %d arose outside working hours;"
                    + " %d posts, %d outside working hours (urgent aside), %d urgent posts at night%n", at.size(),
                    urgentCount, nightCount, posts.size(), outside.size(), urgentAtNight);
            assertThat(nightCount).as("the stream must have night alerts to hold").isGreaterThan(20);
            assertThat(outside).as("posts outside working hours").isEmpty();
            assertThat(stack.count("SELECT count() FROM salespulse.alert_deliveries FINAL WHERE alert_id LIKE 'qs-%"
                    + run + "' AND held_reason = 'quiet_hours' AND status = 'held'")).as("still held").isZero();
        }
    }
}
