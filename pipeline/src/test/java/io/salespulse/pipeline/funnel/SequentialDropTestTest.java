package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sequential drop test without Flink: censored evidence, its working-time clock, episodes and recovery. */
class SequentialDropTestTest {
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    private static final long WEEK = 7 * D;
    /** 2026-06-01 00:00 Asia/Shanghai, a Monday. */
    private static final long T0 = DropHistory.T0;
    private static final SequentialDropTest TEST = new SequentialDropTest(WEEK, 4 * WEEK, ZoneId.of("Asia/Shanghai"), 10);

    /**
     * Five weeks of baseline, every day 09:00-17:00 a customer per hour who advances 24 h later at a rate of 60%
     * (3 of 5); then {@code days} days where nobody advances; customers still enter on the first of them, and on the
     * others only with {@code cardsAfterTheFirst}.
     */
    private static SequentialDropTest.Entries history(int days, boolean cardsAfterTheFirst) {
        List<long[]> es = new ArrayList<>();
        int n = 0;
        for (long day = 0; day < 35 + days; day++) {
            boolean quiet = day >= 35;
            for (int h = 9; h < 17; h++) {
                long at = T0 + day * D + h * H;
                if (day > 35 && !cardsAfterTheFirst) {
                    continue;
                }
                es.add(new long[] {at, !quiet && n++ % 5 < 3 ? at + D : FunnelEntry.NOT_ADVANCED});
            }
        }
        return new SequentialDropTest.Entries(es.stream().mapToLong(e -> e[0]).toArray(),
                es.stream().mapToLong(e -> e[1]).toArray());
    }

    @Test
    void aCustomerWhoHadNoTimeToAdvanceSaysNothingAndOneLongOverdueSaysNo() {
        SequentialDropTest.Entries es = history(4, true);
        long start = T0 + 35 * D;
        // An hour into the first quiet day: 1 entry, not advanced, 1 h old: G(1 h) = 0, no evidence either way.
        SequentialDropTest.Verdict early = TEST.drop(es, start + 10 * H, start, 0.15, 1);
        assertThat(early.score).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(early.alarm).isFalse();
        // Four days later 32 customers, none advanced, 24 of them older than the baseline's 24 h to advance: a drop.
        SequentialDropTest.Verdict late = TEST.drop(es, start + 4 * D, start, 0.15, 1);
        assertThat(late.baselineRate).isCloseTo(0.6, org.assertj.core.data.Offset.offset(0.01));
        assertThat(late.alarm).isTrue();
        assertThat(late.effect).isEqualTo(0.60);
        assertThat(late.rate).isLessThan(0.05);
        assertThat(late.since).isEqualTo(start + 9 * H);
        // Each of the 24 customers older than 24 h says log((1 - p1) / (1 - p0)) with p0 one standard error low, the
        // 8 of the last day nothing.
        double p0 = late.testedRate;
        assertThat(p0).isLessThan(late.baselineRate);
        assertThat(late.score).isCloseTo(24 * Math.log((1 - 0.4 * p0) / (1 - p0)), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void daysWithoutAnyCardStopTheClock() {
        // Customers enter on day 35 and none advances; then four days without a single card (a holiday): they have
        // had almost no working time to advance (what is left of day 35), so they say next to nothing.
        long start = T0 + 35 * D;
        SequentialDropTest.Verdict holiday = TEST.drop(history(5, false), start + 5 * D, start, 0.15, 1);
        assertThat(holiday.alarm).isFalse();
        assertThat(holiday.score).isLessThan(0.2);
        // The same days as working days (other customers' cards come in): the same 8 customers are a full "no".
        SequentialDropTest.Verdict working = TEST.drop(history(5, true), start + 5 * D, start, 0.15, 1);
        assertThat(working.alarm).isTrue();
    }

    @Test
    void aTrickleOfCardsOnAHolidayDoesNotMoveTheClock() {
        // The same holiday, but someone works anyway: one card a day at noon, a twelfth of a usual day's cards. The
        // customers of day 35 have still had no more working time than what was left of day 35.
        SequentialDropTest.Entries quiet = history(5, false);
        int n = quiet.entryAt.length;
        long[] at = java.util.Arrays.copyOf(quiet.entryAt, n + 4);
        long[] advanced = java.util.Arrays.copyOf(quiet.advancedAt, n + 4);
        for (int day = 36; day < 40; day++) {
            at[n + day - 36] = T0 + day * D + 12 * H;
            advanced[n + day - 36] = FunnelEntry.NOT_ADVANCED;
        }
        long start = T0 + 35 * D;
        SequentialDropTest.Verdict holiday = TEST.drop(new SequentialDropTest.Entries(at, advanced), start + 5 * D,
                start, 0.15, 1);
        assertThat(holiday.alarm).isFalse();
        assertThat(holiday.score).isLessThan(0.2);
    }

    @Test
    void aFortyPercentDropIsFoundInDaysAndRecoveryClosesTheEpisode() {
        FunnelSettings s = FunnelSettings.defaults();
        int found = 0;
        List<Double> delays = new ArrayList<>();
        for (int seed = 1; seed <= 5; seed++) {
            DropHistory h = new DropHistory(DropHistory.Kind.DROP_RECOVERS, 60, 0.40, seed);
            DropEvaluation.Outcome o = DropEvaluation.run(h, TEST, s);
            long opened = o.alarms().stream().filter(a -> a >= h.changeAt).findFirst().orElse(-1L);
            if (opened > 0) {
                found++;
                delays.add((opened - h.changeAt) / (double) H);
                assertThat(o.recoveries()).as("seed " + seed).anyMatch(r -> r > opened && r > h.changeEnd);
            }
            assertThat(o.alarms()).as("seed %d: alarms before the drop", seed).allMatch(a -> a >= h.changeAt);
        }
        assertThat(found).isEqualTo(5);
        assertThat(delays).allMatch(d -> d < 10 * 24);
    }

    @Test
    void holidaysAVolumeDipAndASlowTrendRaiseNothing() {
        FunnelSettings s = FunnelSettings.defaults();
        int alarms = 0;
        for (int seed = 1; seed <= 4; seed++) {
            for (DropHistory.Kind k : List.of(DropHistory.Kind.PLAIN, DropHistory.Kind.VOLUME_DIP,
                    DropHistory.Kind.SLOW_TREND)) {
                alarms += DropEvaluation.run(new DropHistory(k, 25, 0, seed), TEST, s).alarms().size();
            }
        }
        assertThat(alarms).isZero();
    }

    @Test
    void anEpisodeOpensOnceAndIsJudgedOnlyOnEntriesAfterTheLastRecovery() {
        SequentialDropTest.Entries es = history(4, true);
        DropWatch w = new DropWatch();
        SequentialDropTest.Verdict[] last = new SequentialDropTest.Verdict[1];
        List<SequentialDropTest.Step> steps = new ArrayList<>();
        for (long t = T0 + 35 * D; t <= T0 + 39 * D; t += H) {
            steps.add(TEST.judge(w, es, t, 0.15, 1, true, last));
        }
        assertThat(steps.stream().filter(x -> x == SequentialDropTest.Step.OPENED)).hasSize(1);
        assertThat(w.open).isTrue();
        assertThat(w.baselineAtStart).isGreaterThan(0.5);
        // Not warm (no full baseline history): nothing opens.
        DropWatch cold = new DropWatch();
        for (long t = T0 + 35 * D; t <= T0 + 38 * D; t += H) {
            assertThat(TEST.judge(cold, es, t, 0.15, 1, false, last)).isEqualTo(SequentialDropTest.Step.NONE);
        }
    }
}
