package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageSla;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * Run-time policies in the funnel job (harnesses): {@code funnel_drop.threshold_pct} and {@code min_volume} per
 * tenant/region with the job settings as defaults, {@code alert_types.funnel_drop} / {@code coaching} switched off
 * per scope, invalid and stale documents ignored, and policies kept across a checkpoint/restore.
 */
class FunnelPolicyTest {
    private static final long M = 60_000L;
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    /** Monday 2026-01-05 00:00 Asia/Shanghai. */
    private static final long T0 = Instant.parse("2026-01-04T16:00:00Z").toEpochMilli();
    private static final String FIRST_DROP = "funnel_drop:weijiang:hz-west:*:contact:"
            + Instant.ofEpochMilli(T0 + 7 * D + 2 * H);

    /** 1 h windows, one baseline week, p < 0.05, no confirm time: the scenario below opens two episodes. */
    private static FunnelSettings settings(double thresholdPct, int minEntered) {
        return new FunnelSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ZERO, 1, thresholdPct, minEntered,
                0.05, Duration.ZERO, Duration.ofHours(2), 3, 60, LocalTime.of(8, 0), ZoneId.of("Asia/Shanghai"),
                StageSla.defaults());
    }

    @Test
    void aRegionPolicyRaisingTheThresholdSuppressesTheDropAndTeamPoliciesDoNotDecideForTheRegion() throws Exception {
        // Control: the job settings (15%, 20 customers) see both episodes of the 75% -> 25% / 30% drops.
        assertThat(dropAlerts(settings(15, 20))).hasSize(2).contains(FIRST_DROP);
        // 70%: the drops (-67%, -60%) are not beyond it; no alert, no flagged row.
        try (FunnelChain f = new FunnelChain(settings(15, 20))) {
            f.policy("weijiang/hz-west", policy(1, "\"funnel_drop\":{\"threshold_pct\":70}"));
            scenario(f);
            assertThat(f.alerts("funnel_drop")).isEmpty();
            assertThat(f.rows("*", "contact")).noneMatch(r -> r.flagged);
        }
        // Another region's policy, or a team's, does not change this region's decision.
        assertThat(dropAlerts(settings(15, 20), "weijiang/hz-east", policy(1, "\"funnel_drop\":{\"threshold_pct\":70}"),
                "weijiang/hz-west/t-1", policy(1, "\"funnel_drop\":{\"threshold_pct\":70}"))).hasSize(2);
        // 62%: only the first drop (-67%) is beyond it.
        assertThat(dropAlerts(settings(15, 20), "weijiang", policy(1, "\"funnel_drop\":{\"threshold_pct\":62}")))
                .containsExactly(FIRST_DROP);
    }

    @Test
    void aPolicyLoweringTheMinimumVolumeEnablesADropTheSettingsIgnore() throws Exception {
        // 40 customers an hour: too few for a job minimum of 50.
        assertThat(dropAlerts(settings(15, 50))).isEmpty();
        assertThat(dropAlerts(settings(15, 50), "weijiang", policy(1, "\"funnel_drop\":{\"min_volume\":30}")))
                .hasSize(2).contains(FIRST_DROP);
        // The region's own value wins over the tenant's.
        assertThat(dropAlerts(settings(15, 50), "weijiang", policy(1, "\"funnel_drop\":{\"min_volume\":30}"),
                "weijiang/hz-west", policy(1, "\"funnel_drop\":{\"min_volume\":41}"))).isEmpty();
    }

    @Test
    void aDisabledFunnelDropScopeEmitsNoDropAlertButStillFlagsItsRows() throws Exception {
        try (FunnelChain f = new FunnelChain(settings(15, 20))) {
            f.policy("weijiang/hz-west", policy(1, "\"alert_types\":{\"funnel_drop\":false}"));
            scenario(f);
            assertThat(f.alerts("funnel_drop")).isEmpty();
            assertThat(f.rows("*", "contact")).filteredOn(r -> r.flagged).isNotEmpty();
        }
        // Switched off for the tenant and back on for the region: the region's value wins.
        assertThat(dropAlerts(settings(15, 20), "weijiang", policy(1, "\"alert_types\":{\"funnel_drop\":false}"),
                "weijiang/hz-west", policy(1, "\"alert_types\":{\"funnel_drop\":true}"))).hasSize(2);
        // A tombstone removes the switch.
        assertThat(dropAlerts(settings(15, 20), "weijiang", policy(1, "\"alert_types\":{\"funnel_drop\":false}"),
                "weijiang", null)).hasSize(2);
    }

    @Test
    void invalidAndStalePoliciesAreIgnoredAndTheValidOneStays() throws Exception {
        assertThat(dropAlerts(settings(15, 20),
                "weijiang", policy(2, "\"funnel_drop\":{\"threshold_pct\":70}"),
                "weijiang", policy(3, "\"funnel_drop\":{\"threshold_pct\":150}"),   // invalid: not below 100
                "weijiang", policy(1, "\"funnel_drop\":{\"threshold_pct\":10}"),    // stale version
                "weijiang", "not json",
                "a/b/c/d", policy(1, "\"funnel_drop\":{\"threshold_pct\":10}")))     // not a scope
                .isEmpty();
    }

    @Test
    void aCoachingScopeSwitchedOffGetsNoCoachingAlertOtherTeamsStillDo() throws Exception {
        try (FunnelChain f = new FunnelChain(FunnelSettings.defaults())) {
            f.policy("weijiang/hz-west/t-1", policy(1, "\"alert_types\":{\"coaching\":false}"));
            for (String team : List.of("t-1", "t-2")) {
                String c = "c-" + team;
                f.card(FunnelHarnessTest.card(c, "proposal", T0, team, "r-" + team));
                for (int i = 1; i <= 3; i++) {
                    f.card(FunnelHarnessTest.card(c, "objection", T0 + i * D, team, "r-" + team));
                }
            }
            assertThat(f.alerts("coaching")).extracting(a -> a.team).containsExactly("t-2");
        }
    }

    @Test
    void policiesSurviveACheckpointAndRestore() throws Exception {
        OperatorSubtaskState[] snapshot;
        try (FunnelChain f = new FunnelChain(settings(15, 50))) {
            f.policy("weijiang", policy(1, "\"funnel_drop\":{\"min_volume\":30},\"alert_types\":{\"coaching\":false}"));
            snapshot = f.snapshotPolicyOperators();
        }
        try (FunnelChain f = new FunnelChain(settings(15, 50), snapshot[0], snapshot[1])) {
            // The restored version is current: another document with the same version is stale and ignored.
            f.policy("weijiang", policy(1, "\"funnel_drop\":{\"min_volume\":99}"));
            scenario(f);
            assertThat(f.alerts("funnel_drop")).hasSize(2);
            f.card(FunnelHarnessTest.card("c-x", "proposal", T0));
            for (int i = 1; i <= 3; i++) {
                f.card(FunnelHarnessTest.card("c-x", "objection", T0 + i * D));
            }
            assertThat(f.alerts("coaching")).isEmpty();
        }
    }

    /** Runs the scenario with the given (scope, document) policy records first; returns the funnel_drop alert ids. */
    private static List<String> dropAlerts(FunnelSettings s, String... scopesAndDocuments) throws Exception {
        try (FunnelChain f = new FunnelChain(s)) {
            for (int i = 0; i < scopesAndDocuments.length; i += 2) {
                f.policy(scopesAndDocuments[i], scopesAndDocuments[i + 1]);
            }
            scenario(f);
            return f.alerts("funnel_drop").stream().map((Alert a) -> a.alertId).toList();
        }
    }

    private static String policy(long version, String fields) {
        return "{\"version\":" + version + ",\"updated_at\":\"2026-01-01T09:00:00+08:00\",\"updated_by\":\"u-chen\","
                + fields + "}";
    }

    /**
     * As in {@code FunnelHarnessTest}: a baseline week where 30 of 40 customers an hour advance (75%), then a week
     * with three hours at 25% and, after recovering, two at 30%.
     */
    private static void scenario(FunnelChain f) throws Exception {
        for (int h = 0; h < 14; h++) {
            hour(f, T0 + h * H, 30);
        }
        int[] advancing = {30, 10, 10, 10, 30, 30, 30, 30, 30, 30, 12, 12, 30, 30};
        for (int h = 0; h < 14; h++) {
            hour(f, T0 + 7 * D + h * H, advancing[h]);
        }
        f.watermark(T0 + 7 * D + 20 * H);
    }

    private static void hour(FunnelChain f, long start, int advancing) throws Exception {
        for (int i = 0; i < 40; i++) {
            String c = "c-" + start + "-" + i;
            String rep = i % 2 == 0 ? "r-001" : "r-002";
            f.card(FunnelHarnessTest.card(c, "contact", start + i * 1000L, "t-1", rep));
            if (i < advancing) {
                f.card(FunnelHarnessTest.card(c, "needs", start + 30 * M + i * 1000L, "t-1", rep));
            }
        }
    }
}
