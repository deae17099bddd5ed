package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.config.PipelineConfig;
import io.salespulse.pipeline.config.Setting;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sequential drop test inside the funnel's functions (harness, default settings): a region's proposal stage
 * loses 40% of its rate for two weeks and comes back. The job raises the episodes the plain {@link SequentialDropTest}
 * raises on the same entries, one drop alert and one recovery message each, and flags the region's rows in between.
 */
class SequentialDropHarnessTest {
    private static final long H = 3_600_000L;

    @Test
    void aDropIsAlertedOnceInDaysAndItsRecoveryIsReportedWithRateAndDate() throws Exception {
        FunnelSettings s = FunnelSettings.defaults();
        assertThat(s.sequential).isTrue();
        DropHistory history = new DropHistory(DropHistory.Kind.DROP_RECOVERS, 40, 0.40, 3);
        long end = DropHistory.T0 + DropHistory.DAYS * DropHistory.DAY;
        SequentialDropTest test = new SequentialDropTest(s.windowMs, s.baselineWeeks * FunnelSettings.WEEK,
                ZoneId.of(s.zoneId), s.dropEvidence);
        DropEvaluation.Outcome expected = DropEvaluation.run(history, test, s);
        assertThat(expected.alarms()).as("the plain test finds the drop").isNotEmpty();
        assertThat(expected.recoveries()).isNotEmpty();

        List<StageEvent> cards = new ArrayList<>();
        int i = 0;
        for (long[] e : history.entries) {
            String customer = "c-" + i++;
            cards.add(FunnelHarnessTest.card(customer, "proposal", e[0], i % 2 == 0 ? "t-1" : "t-2", "r-00" + (i % 4)));
            if (e[1] < end) {
                cards.add(FunnelHarnessTest.card(customer, "objection", e[1], i % 2 == 0 ? "t-1" : "t-2", "r-00" + (i % 4)));
            }
        }
        cards.sort(Comparator.comparingLong(c -> c.occurredAt));
        try (FunnelChain f = new FunnelChain(s)) {
            for (StageEvent c : cards) {
                f.watermark(c.occurredAt);
                f.card(c, c.occurredAt);
            }
            f.watermark(end + s.latenessMs + H);

            String key = "weijiang:hz-west:*:proposal:";
            assertThat(f.alerts("funnel_drop")).extracting(a -> a.alertId).containsExactlyElementsOf(
                    expected.alarms().stream().map(t -> "funnel_drop:" + key + Instant.ofEpochMilli(t)).toList());
            List<Alert> recoveries = f.alerts("funnel_recovery");
            assertThat(recoveries).extracting(a -> a.alertId).containsExactlyElementsOf(
                    expected.alarms().stream().limit(expected.recoveries().size())
                            .map(t -> "funnel_recovery:" + key + Instant.ofEpochMilli(t)).toList());
            assertThat(recoveries).extracting(a -> a.firedAt).containsExactlyElementsOf(expected.recoveries());

            long opened = expected.alarms().get(0);
            long recovered = expected.recoveries().get(0);
            assertThat(opened).isBetween(history.changeAt, history.changeAt + 14 * DropHistory.DAY);
            Alert drop = f.alerts("funnel_drop").get(0);
            assertThat(drop.title).contains("方案呈现").contains("降至约");
            assertThat(drop.message).contains("似然比证据").contains("尚未推进的按往期推进时间折算");
            Alert back = recoveries.get(0);
            assertThat(back.title).startsWith("【转化回升】hz-west 区域「方案呈现」转化率已恢复至约");
            assertThat(back.message).contains("确认恢复").contains("的转化下降提醒结束");
            assertThat(f.rows("*", "proposal")).filteredOn(r -> r.entered > 0 && r.windowEnd >= opened - 2 * H
                    && r.windowEnd <= recovered + 2 * H)
                    .allMatch(r -> r.flagged == (r.windowEnd >= opened && r.windowEnd < recovered), "flagged while open");
        }
    }

    /**
     * An upgrade: the window test's job opens an episode; its state restores into the sequential test's job, which
     * goes on with that episode (no second alert for it) and reports its recovery under its id.
     */
    @Test
    void anEpisodeOpenedByTheWindowTestBeforeAnUpgradeEndsWithARecoveryMessageAfterIt() throws Exception {
        FunnelSettings sequential = FunnelSettings.defaults();
        FunnelSettings window = FunnelSettings.from(PipelineConfig.defaults().with(Map.of(Setting.FUNNEL_DROP_TEST, "window")));
        assertThat(window.sequential).isFalse();
        DropHistory history = new DropHistory(DropHistory.Kind.DROP_RECOVERS, 60, 0.40, 2);
        long end = DropHistory.T0 + DropHistory.DAYS * DropHistory.DAY;
        List<StageEvent> cards = cards(history, end);
        long opened = DropEvaluation.windowRule(history.asEntries(), history.changeAt, end, window);
        assertThat(opened).as("the window test finds the drop").isBetween(history.changeAt, history.changeEnd);
        long upgradeAt = opened + 6 * H;
        OperatorSubtaskState[] state;
        String id = "weijiang:hz-west:*:proposal:" + Instant.ofEpochMilli(opened);
        try (FunnelChain f = new FunnelChain(window)) {
            feed(f, cards, Long.MIN_VALUE, upgradeAt);
            assertThat(f.alerts("funnel_drop")).extracting(a -> a.alertId).containsExactly("funnel_drop:" + id);
            state = f.snapshotAll();
        }
        try (FunnelChain f = new FunnelChain(sequential, state)) {
            feed(f, cards, upgradeAt, end);
            f.watermark(end + sequential.latenessMs + H);
            List<Alert> recoveries = f.alerts("funnel_recovery");
            assertThat(recoveries).extracting(a -> a.alertId).first().isEqualTo("funnel_recovery:" + id);
            long recovered = recoveries.get(0).firedAt;
            assertThat(recovered).isGreaterThan(history.changeEnd);
            assertThat(f.alerts("funnel_drop")).as("no second alert for the episode").allMatch(a -> a.firedAt > recovered);
            assertThat(f.rows("*", "proposal")).filteredOn(r -> r.entered > 0 && r.windowEnd > upgradeAt + H
                    && r.windowEnd < recovered).allMatch(r -> r.flagged, "flagged until it recovered");
        }
    }

    /**
     * Policies: a region whose drop alerts are switched off gets neither the drop nor the recovery message, and its
     * rows are still flagged; a higher threshold for the region (75%: a 40% drop is well below it) opens no episode
     * there. Not 60%: the rate the test estimates on its worst stretch of customers can come out 60% below the
     * baseline in a 40% drop by chance (44% to 17% on this history).
     */
    @Test
    void policiesSwitchOffTheRecoveryWithTheDropAndRaiseTheThresholdOfTheSequentialTest() throws Exception {
        FunnelSettings s = FunnelSettings.defaults();
        DropHistory history = new DropHistory(DropHistory.Kind.DROP_RECOVERS, 40, 0.40, 3);
        long end = DropHistory.T0 + DropHistory.DAYS * DropHistory.DAY;
        List<StageEvent> cards = cards(history, end);
        try (FunnelChain f = new FunnelChain(s)) {
            f.policy("weijiang/hz-west", policy(1, "\"alert_types\":{\"funnel_drop\":false}"));
            feed(f, cards, Long.MIN_VALUE, end);
            f.watermark(end + s.latenessMs + H);
            assertThat(f.alerts("funnel_drop")).isEmpty();
            assertThat(f.alerts("funnel_recovery")).isEmpty();
            assertThat(f.rows("*", "proposal")).anyMatch(r -> r.flagged);
        }
        try (FunnelChain f = new FunnelChain(s)) {
            f.policy("weijiang/hz-west", policy(1, "\"funnel_drop\":{\"threshold_pct\":75}"));
            feed(f, cards, Long.MIN_VALUE, end);
            f.watermark(end + s.latenessMs + H);
            assertThat(f.alerts("funnel_drop")).isEmpty();
            assertThat(f.rows("*", "proposal")).noneMatch(r -> r.flagged);
        }
    }

    private static String policy(long version, String fields) {
        return "{\"version\":" + version + ",\"updated_at\":\"2026-01-01T09:00:00+08:00\",\"updated_by\":\"u-chen\","
                + fields + "}";
    }

    private static List<StageEvent> cards(DropHistory history, long end) {
        List<StageEvent> cards = new ArrayList<>();
        int i = 0;
        for (long[] e : history.entries) {
            String customer = "c-" + i++;
            cards.add(FunnelHarnessTest.card(customer, "proposal", e[0], i % 2 == 0 ? "t-1" : "t-2", "r-00" + (i % 4)));
            if (e[1] < end) {
                cards.add(FunnelHarnessTest.card(customer, "objection", e[1], i % 2 == 0 ? "t-1" : "t-2", "r-00" + (i % 4)));
            }
        }
        cards.sort(Comparator.comparingLong(c -> c.occurredAt));
        return cards;
    }

    /** The cards that occurred in [from, to), each arriving when it occurred. */
    private static void feed(FunnelChain f, List<StageEvent> cards, long from, long to) throws Exception {
        for (StageEvent c : cards) {
            if (c.occurredAt >= from && c.occurredAt < to) {
                f.watermark(c.occurredAt);
                f.card(c, c.occurredAt);
            }
        }
        f.watermark(to);
    }
}
