package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Stage;
import io.salespulse.contract.StageEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One team's customers over {@link #DATES} digest dates, moving through the funnel with known probabilities, and
 * the truth about every digest: the wins that came in its 7 days and the distribution a forecast that knew the true
 * probabilities would give (the floor no forecast beats).
 *
 * <p>Between two digest dates (a step) each open customer, according to its stage and whether it is past the
 * stage's SLA, advances (proposal: to objection or straight to closing; closing: won), is lost, or stays; what
 * happens happens at a random moment of the step. New customers arrive in contact, Poisson with {@code perDay} a
 * step. A customer 30 steps in one stage is lost (before the digest would forget it). Each history draws its own
 * rates (the base rates x 0.7..1.3), so the forecast must learn them from the team's own digests.
 */
final class ForecastHistory {
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    /** 2026-06-01 08:00 Asia/Shanghai: the first digest date. */
    static final long D0 = 1_780_243_200_000L + 8 * HOUR;
    static final int DATES = 100;
    static final int MAX_AGE = 30;
    static final String TEAM = "t-1";
    static final int STEPS_AHEAD = 7;

    /** Per stage rank, fresh then overdue: probability per step of advancing (to the next stage, or won). */
    private static final double[][] ADVANCE = {{0.45, 0.15}, {0.35, 0.12}, {0.35, 0.14}, {0.25, 0.10}, {0.30, 0.12}};
    /** Of the proposal stage's advances, the share that goes to objection handling. */
    private static final double TO_OBJECTION = 0.45;
    private static final double[][] LOST = {{0.03, 0.08}, {0.03, 0.08}, {0.03, 0.08}, {0.05, 0.10}, {0.05, 0.10}};

    final double perDay;
    final double speed;
    final int[] slaSteps = new int[Stage.values().length];
    final List<CustomerHistory> histories = new ArrayList<>();
    final List<StageEvent> cards = new ArrayList<>();
    /** Per digest date: wins in its 7 days. */
    final int[] actual = new int[DATES];
    /** Per digest date: the true distribution of those wins. */
    final WinForecast.Pmf[] truth = new WinForecast.Pmf[DATES];
    private final double[][][] memo = new double[Stage.values().length][MAX_AGE + 2][STEPS_AHEAD + 1];

    ForecastHistory(double perDay, long seed, FunnelSettings s) {
        this.perDay = perDay;
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + (long) (perDay * 7919));
        this.speed = 0.7 + 0.6 * rnd.nextDouble();
        for (Stage st : Stage.values()) {
            // Overdue at a digest once more than the SLA lies between entry (inside a step) and the date.
            slaSteps[st.rank()] = (int) (s.sla.of(st).toMillis() / DAY);
        }
        for (double[][] stage : memo) {
            for (double[] row : stage) {
                Arrays.fill(row, -1); // not computed yet
            }
        }
        List<Customer> open = new ArrayList<>();
        int n = 0;
        List<Long> wins = new ArrayList<>();
        for (int k = 0; k < DATES + STEPS_AHEAD; k++) {
            long d = D0 + k * DAY;
            if (k < DATES) {
                truth[k] = truth(open);
            }
            List<Customer> still = new ArrayList<>();
            for (Customer c : open) {
                long at = d + (long) ((0.01 + 0.98 * rnd.nextDouble()) * DAY);
                int st = c.stage.rank();
                int late = c.age > slaSteps[st] ? 1 : 0;
                double u = rnd.nextDouble();
                double adv = advance(st, late);
                if (c.age >= MAX_AGE || u < LOST[st][late]) {
                    c.card(at, Stage.CLOSING, "lost");
                } else if (u < LOST[st][late] + adv) {
                    if (c.stage == Stage.CLOSING) {
                        c.card(at, Stage.CLOSING, "won");
                        wins.add(at);
                    } else {
                        Stage next = c.stage == Stage.PROPOSAL
                                ? (rnd.nextDouble() < TO_OBJECTION ? Stage.OBJECTION : Stage.CLOSING)
                                : Stage.values()[st + 1];
                        c.card(at, next, null);
                        c.age = 1;
                        still.add(c);
                    }
                } else {
                    c.age++;
                    still.add(c);
                }
            }
            int arrivals = poisson(perDay, rnd);
            for (int i = 0; i < arrivals; i++) {
                Customer c = new Customer("c-" + (++n), rnd.nextDouble() < 0.2, "r-" + (1 + rnd.nextInt(12)));
                c.card(d + (long) ((0.01 + 0.98 * rnd.nextDouble()) * DAY), Stage.CONTACT, null);
                c.age = 1;
                still.add(c);
            }
            open = still;
        }
        for (int k = 0; k < DATES; k++) {
            long d = D0 + k * DAY;
            actual[k] = (int) wins.stream().filter(t -> t >= d && t < d + STEPS_AHEAD * DAY).count();
        }
    }

    long date(int k) {
        return D0 + k * DAY;
    }

    private double advance(int stage, int late) {
        return Math.min(1 - LOST[stage][late], ADVANCE[stage][late] * speed);
    }

    /** Probability of a win within {@code steps} steps for a customer in {@code stage} at {@code age} at a date. */
    double winWithin(int stage, int age, int steps) {
        if (steps == 0 || age > MAX_AGE) {
            return 0;
        }
        double cached = memo[stage][age][steps];
        if (cached >= 0) {
            return cached;
        }
        double p = 0;
        if (age < MAX_AGE) {
            int late = age > slaSteps[stage] ? 1 : 0;
            double adv = advance(stage, late);
            double stay = 1 - adv - LOST[stage][late];
            double onward;
            if (stage == Stage.CLOSING.rank()) {
                onward = 1;
            } else if (stage == Stage.PROPOSAL.rank()) {
                onward = TO_OBJECTION * winWithin(Stage.OBJECTION.rank(), 1, steps - 1)
                        + (1 - TO_OBJECTION) * winWithin(Stage.CLOSING.rank(), 1, steps - 1);
            } else {
                onward = winWithin(stage + 1, 1, steps - 1);
            }
            p = adv * onward + stay * winWithin(stage, age + 1, steps - 1);
        }
        memo[stage][age][steps] = p;
        return p;
    }

    /** The true distribution of wins in the 7 days of a date: the open customers' own chances, new ones Poisson. */
    private WinForecast.Pmf truth(List<Customer> open) {
        double[] p = {1};
        for (Customer c : open) {
            double q = winWithin(c.stage.rank(), c.age, STEPS_AHEAD);
            double[] next = new double[p.length + 1];
            for (int i = 0; i < p.length; i++) {
                next[i] += p[i] * (1 - q);
                next[i + 1] += p[i] * q;
            }
            p = next;
        }
        // A customer arriving in step j is in contact at age 1 on the next date, with 6 - j steps left.
        double newMean = 0;
        for (int j = 0; j < STEPS_AHEAD; j++) {
            newMean += perDay * winWithin(Stage.CONTACT.rank(), 1, STEPS_AHEAD - 1 - j);
        }
        return new WinForecast.Pmf(0, p).plus(poissonPmf(newMean));
    }

    static WinForecast.Pmf poissonPmf(double mean) {
        int max = (int) Math.ceil(mean + 12 * Math.sqrt(mean) + 12);
        double[] p = new double[max + 1];
        p[0] = Math.exp(-mean);
        for (int k = 1; k <= max; k++) {
            p[k] = p[k - 1] * mean / k;
        }
        return new WinForecast.Pmf(0, p);
    }

    /** E|Y - mean| under a distribution: the mean absolute error of a forecast that knew it. */
    static double meanAbsoluteDeviation(WinForecast.Pmf pmf) {
        double m = pmf.mean();
        double e = 0;
        for (int k = 0; k < pmf.p.length; k++) {
            e += Math.abs(pmf.offset + k - m) * pmf.p[k];
        }
        return e;
    }

    private static int poisson(double lambda, SplittableRandom rnd) {
        double l = Math.exp(-lambda);
        double p = 1;
        int k = 0;
        do {
            k++;
            p *= rnd.nextDouble();
        } while (p > l);
        return k - 1;
    }

    /** A customer: its open stage and age (dates since it entered it), its cards and its stage history. */
    private final class Customer {
        final String id;
        final boolean highPotential;
        final String rep;
        Stage stage;
        int age;
        final CustomerHistory history = new CustomerHistory();
        final List<StageInterval> intervals = new ArrayList<>();

        Customer(String id, boolean highPotential, String rep) {
            this.id = id;
            this.highPotential = highPotential;
            this.rep = rep;
            history.tenant = "weijiang";
            history.customerId = id;
            history.team = TEAM;
            histories.add(history);
        }

        void card(long at, Stage next, String outcome) {
            StageEvent e = new StageEvent();
            e.eventId = id + "-" + intervals.size();
            e.tenant = "weijiang";
            e.occurredAt = at;
            e.customerId = id;
            e.repId = rep;
            e.region = "hz-west";
            e.team = TEAM;
            e.stage = next.code();
            e.highPotential = highPotential;
            switch (next) {
                case NEEDS -> e.need = "x";
                case PROPOSAL -> e.proposal = "p";
                case OBJECTION -> e.objectionTag = "price_high";
                case CLOSING -> e.outcome = outcome == null ? "pending" : outcome;
                default -> { }
            }
            cards.add(e);
            StageInterval i = new StageInterval();
            i.from = at;
            i.status = outcome == null ? CustomerHistory.OPEN : outcome;
            i.stage = next.code();
            i.stageEnteredAt = at;
            i.highPotential = highPotential;
            i.rep = rep;
            i.region = "hz-west";
            i.team = TEAM;
            intervals.add(i);
            history.intervals = intervals.toArray(new StageInterval[0]);
            history.lastCardAt = at;
            if (outcome == null) {
                stage = next;
            }
        }
    }
}
