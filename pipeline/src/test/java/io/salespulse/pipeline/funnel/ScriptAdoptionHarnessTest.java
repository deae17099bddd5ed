package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Script-adoption coaching on simulated teams ({@link CoachingEvaluation}'s histories, fewer of them): the
 * operator coaches exactly the weeks the evaluation judges, never a team at the minimum, and finds teams 10 points
 * below it when they file enough objection cards.
 */
class ScriptAdoptionHarnessTest {
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    /** Monday 2026-01-05 00:00 Asia/Shanghai. */
    private static final long T0 = Instant.parse("2026-01-04T16:00:00Z").toEpochMilli();
    private static final int WEEKS = 6;

    @Test
    void theOperatorCoachesTheWeeksTheEvaluationJudgesAndNoTeamAtTheMinimum() throws Exception {
        FunnelSettings s = FunnelSettings.defaults();
        double[] truth = {0.60, 0.60, 0.50, 0.50, 0.40};
        int volume = 400;
        Set<String> expected = new TreeSet<>();
        try (FunnelChain f = new FunnelChain(s)) {
            for (int t = 0; t < truth.length; t++) {
                String team = "t-" + t;
                List<ObjectionCounts> weeks = CoachingEvaluation.weeks(volume, truth[t], 11 + t).subList(0, WEEKS);
                boolean[][] judged = CoachingEvaluation.judge(weeks, s.scriptAdoption, ScriptAdoption.ALPHA);
                for (int w = 0; w < WEEKS; w++) {
                    ObjectionCounts c = weeks.get(w);
                    for (int i = 0; i < c.total; i++) {
                        // Spread over the working days of the week, the quoting ones first (order does not matter).
                        StageEvent o = FunnelHarnessTest.card(team + "-" + w + "-" + i, "objection",
                                T0 + w * 7 * D + D + (long) i * 4 * D / c.total, team, "r-" + t);
                        o.scriptId = i < c.scripted ? "kb-price-01" : null;
                        f.card(o);
                    }
                    if (judged[1][w]) {
                        expected.add("coaching:script_adoption:weijiang:hz-west:" + team + ":"
                                + Instant.ofEpochMilli(T0 + (w - 1) * 7 * D));
                    }
                }
            }
            f.watermark(T0 + (WEEKS + 1) * 7 * D);
            Set<String> got = new TreeSet<>();
            for (Alert a : f.alerts("coaching")) {
                got.add(a.alertId);
            }
            assertThat(got).isEqualTo(expected);
            assertThat(got).noneMatch(id -> id.contains(":t-0:") || id.contains(":t-1:"));
            assertThat(got).anyMatch(id -> id.contains(":t-2:")).anyMatch(id -> id.contains(":t-3:"))
                    .anyMatch(id -> id.contains(":t-4:"));
        }
    }

    @Test
    void noTeamAtOrAboveTheMinimumIsCoachedAndTeamsTenPointsBelowAreFoundWithEnoughCards() {
        double minimum = FunnelSettings.defaults().scriptAdoption;
        for (double truth : new double[] {0.60, 0.65, 0.70}) {
            for (int volume : new int[] {20, 40, 480}) {
                assertThat(CoachingEvaluation.tally(volume, truth, 60, minimum, ScriptAdoption.ALPHA)[2])
                        .as("alerts for teams at %.2f with %d cards a week", truth, volume).isZero();
            }
        }
        long[] found = CoachingEvaluation.tally(480, 0.50, 60, minimum, ScriptAdoption.ALPHA);
        assertThat((double) found[0] / found[1]).isGreaterThanOrEqualTo(0.90);
        // At the volumes of DOMAIN.md's teams (about 40 cards a week) a 10-point gap is out of reach in two weeks.
        long[] small = CoachingEvaluation.tally(40, 0.50, 60, minimum, ScriptAdoption.ALPHA);
        assertThat((double) small[0] / small[1]).isLessThan(0.05);
        assertThat(ScriptAdoption.cardsNeeded(minimum, 0.10, 0.90, ScriptAdoption.ALPHA)).isBetween(700, 800);
    }
}
