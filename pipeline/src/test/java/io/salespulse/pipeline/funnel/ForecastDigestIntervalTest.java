package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.salespulse.contract.StageEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The digest's 80% interval: the predictive distribution's pieces, the calibration on a few simulated histories
 * ({@link ForecastEvaluation} with fewer seeds, so looser bounds), and the job's rows against the same computation.
 */
class ForecastDigestIntervalTest {
    @Test
    void betaBinomialHasThePosteriorMeanAndMoreSpreadThanTheBinomial() {
        // 20 effective customers, 10 won, prior 4 at 0.5: rate 0.5; 30 customers open.
        WinForecast.Pmf p = WinForecast.betaBinomial(30, 10, 20, 0.5, true);
        assertThat(p.mean()).isCloseTo(15, within(1e-9));
        double var = 0;
        for (int k = 0; k < p.p.length; k++) {
            var += Math.pow(p.offset + k - 15, 2) * p.p[k];
        }
        // Beta-binomial: n r (1 - r) (a + b + n) / (a + b + 1) with a + b = 24.
        assertThat(var).isCloseTo(30 * 0.25 * (24 + 30) / 25.0, within(1e-6));
        WinForecast f = WinForecast.of(p);
        assertThat(f.mass).isCloseTo(0.80, within(0.06));
        assertThat(f.low).isLessThan(15);
        assertThat(f.high).isGreaterThan(15);
    }

    @Test
    void theTextGivesTheIntervalAndNamesTheCustomersCarryingTheRiskAndWhy() {
        long[] none = new long[5];
        WinForecast[] stages = new WinForecast[5];
        for (int i = 0; i < 5; i++) {
            stages[i] = WinForecast.of(WinForecast.Pmf.zero());
        }
        WinForecast total = WinForecast.of(WinForecast.betaBinomial(60, 20, 40, 0.5, true));
        List<DigestRow> rows = FunnelText.digestRows("weijiang", "hz-west", "t-1", 0, new long[] {0, 0, 60, 0, 0},
                none, new long[] {0, 0, 1, 0, 0}, stages, total);
        long h = ForecastHistory.HOUR;
        List<ForecastDigest.Risk> risks = new java.util.ArrayList<>(List.of(
                new ForecastDigest.Risk("c-2", "r-002", io.salespulse.contract.Stage.OBJECTION, 5 * h, false),
                new ForecastDigest.Risk("c-1", "r-001", io.salespulse.contract.Stage.PROPOSAL, 50 * h, true)));
        ForecastDigest.Day day = new ForecastDigest.Day();
        day.risks.addAll(risks);
        io.salespulse.contract.Alert a = FunnelText.digestAlert(rows, day.risks(), FunnelSettings.defaults(), 0);
        assertThat(a.title).contains("预计未来 7 天签约约 30 单（80% 区间 " + total.low + "–" + total.high + "）");
        assertThat(a.message).contains("1 位高潜客户已超时未推进，有流失风险（r-001 1 位）")
                .contains("需要关注的客户（已超时且高潜或异议未解决，共 2 位）：c-1（r-001，「方案呈现」已超时 2 天，高潜）、"
                        + "c-2（r-002，「异议处理」已超时 5 小时，异议未解决）。");
    }

    @Test
    void noHistoryForecastsNothing() {
        WinForecast f = WinForecast.of(WinForecast.betaBinomial(12, 0, 0, 0, false)
                .plus(WinForecast.negativeBinomial(0, 0)));
        assertThat(f.mean).isZero();
        assertThat(f.low).isZero();
        assertThat(f.high).isZero();
    }

    @Test
    void intervalCoversAboutEightyPercentAndErrorIsNearTheFloor() {
        Map<Double, ForecastEvaluation.Tally> byVolume = ForecastEvaluation.measure(12, FunnelSettings.defaults());
        ForecastEvaluation.Tally all = new ForecastEvaluation.Tally();
        byVolume.values().forEach(all::add);
        System.out.print(ForecastEvaluation.table(byVolume));
        assertThat(all.digests).isEqualTo(3 * 12 * (ForecastHistory.DATES - ForecastEvaluation.FIRST));
        assertThat(all.coverage()).isBetween(0.75, 0.85);
        assertThat(all.ratio()).isLessThan(1.2);
        assertThat(all.forecast / all.actual).isBetween(0.95, 1.05);
    }

    @Test
    void theJobWritesTheSameForecastAsComputedFromTheHistories() throws Exception {
        FunnelSettings s = FunnelSettings.defaults();
        ForecastHistory h = new ForecastHistory(3, 7, s);
        List<StageEvent> cards = h.cards.stream().sorted(Comparator.comparingLong(c -> c.occurredAt)).toList();
        try (FunnelChain chain = new FunnelChain(s)) {
            int n = 0;
            for (StageEvent c : cards) {
                chain.card(c);
                if (++n % 50 == 0) {
                    chain.watermark(c.occurredAt - 1_000);
                }
            }
            chain.watermark(h.date(ForecastHistory.DATES) + ForecastHistory.DAY);
            Map<Long, DigestRow> rows = new HashMap<>();
            for (DigestRow r : chain.digestRows) {
                if (r.stage.equals("all")) {
                    rows.put(r.digestAt, r); // the last sent wins, as in forecast_digests FINAL
                }
            }
            Map<Long, ForecastDigest.Day> days = new HashMap<>();
            int compared = 0;
            for (int k = ForecastEvaluation.FIRST; k < ForecastHistory.DATES; k++) {
                long d = h.date(k);
                ForecastDigest.Day today = ForecastDigest.count(d, h.histories, ForecastHistory.TEAM, s);
                ForecastDigest.Outcomes o = ForecastDigest.outcomes(d, x -> days.computeIfAbsent(x,
                        y -> ForecastDigest.count(y, h.histories, ForecastHistory.TEAM, s)), s);
                WinForecast f = ForecastDigest.forecast(today, o)[io.salespulse.contract.Stage.values().length];
                DigestRow r = rows.get(d);
                assertThat(r).as("digest of date %d", k).isNotNull();
                assertThat(r.customers).as("date %d", k).isEqualTo(today.total());
                assertThat(r.expectedWins7d).as("date %d", k).isCloseTo(f.mean, within(1e-9));
                assertThat(r.winsLow7d).as("date %d", k).isEqualTo(f.low);
                assertThat(r.winsHigh7d).as("date %d", k).isEqualTo(f.high);
                assertThat(r.message).contains("预计未来 7 天签约约 " + Math.round(f.mean) + " 单（80% 区间 " + f.low + "–"
                        + f.high + "）");
                compared++;
            }
            assertThat(compared).isEqualTo(ForecastHistory.DATES - ForecastEvaluation.FIRST);
        }
    }
}
