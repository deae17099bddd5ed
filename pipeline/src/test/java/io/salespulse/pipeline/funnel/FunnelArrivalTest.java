package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.Alert;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.StageSla;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The funnel is exact however the cards arrive (harnesses, one key group): late cards and retries correct the
 * rows already sent to what a plain-Java reference computes from all cards; a drop episode that late cards undo
 * is withdrawn, one they reveal is alerted once; an import holds everything until it is read, then decides once;
 * digests count what was true on their date; a repeated objection alerts once whatever the order; state drops to
 * zero once the keys are done.
 */
class FunnelArrivalTest {
    private static final long M = 60_000L;
    private static final long H = 3_600_000L;
    private static final long D = 24 * H;
    /** Monday 2026-01-05 00:00 Asia/Shanghai. */
    private static final long T0 = Instant.parse("2026-01-04T16:00:00Z").toEpochMilli();
    private static final String[] STAGES = {"contact", "needs", "proposal", "objection", "closing"};

    /** 3 h windows sliding hourly, one baseline week, final 10 min after the end; drops: p < 0.05, no confirm time. */
    private static FunnelSettings small() {
        return new FunnelSettings(Duration.ofHours(3), Duration.ofHours(1), Duration.ofMinutes(10), 1, 15, 20, 0.05,
                Duration.ZERO, Duration.ofHours(2), 3, 60, LocalTime.of(8, 0), ZoneId.of("Asia/Shanghai"),
                StageSla.defaults());
    }

    @Test
    void lateCardsAndRetriesEndInTheRowsAllCardsGiveAndStateDropsToZero() throws Exception {
        FunnelSettings s = small();
        List<StageEvent> cards = history(new Random(11), 120, 10);
        List<String> expected = reference(cards, s);
        assertThat(expected).hasSizeGreaterThan(500);

        // A third of the cards arrive 1 to 72 hours late, one in ten is sent again hours later.
        Random r = new Random(12);
        List<long[]> arrivals = new ArrayList<>(); // {arrival, index}
        for (int i = 0; i < cards.size(); i++) {
            long at = cards.get(i).occurredAt;
            long arrival = r.nextInt(3) == 0 ? at + (1 + r.nextInt(72)) * H : at;
            arrivals.add(new long[] {arrival, i});
            if (r.nextInt(10) == 0) {
                arrivals.add(new long[] {arrival + r.nextInt(48) * H, i});
            }
        }
        arrivals.sort(Comparator.comparingLong((long[] a) -> a[0]).thenComparingLong(a -> a[1]));
        try (FunnelChain f = new FunnelChain(s)) {
            for (long[] a : arrivals) {
                f.watermark(a[0] - 1);
                f.card(copy(cards.get((int) a[1])), a[0]);
            }
            f.watermark(arrivals.get(arrivals.size() - 1)[0] + 30 * D);
            assertThat(counts(f.finalRows())).containsExactlyElementsOf(expected);
            assertThat(f.rows).hasSizeGreaterThan(f.finalRows().size()); // corrections were sent
            // A correction outranks the row it corrects in ClickHouse, even with the clock standing still (the
            // harness's processing time does not move): computed_at grows with every version of a row.
            Map<String, Long> computedAt = new java.util.HashMap<>();
            for (ConversionRow row : f.rows) {
                Long before = computedAt.put(row.region + row.team + row.fromStage + row.windowEnd, row.computedAt);
                assertThat(row.computedAt).isGreaterThan(before == null ? 0 : before);
            }
            // Every alert id once.
            assertThat(f.alerts.stream().map(a -> a.alertId).distinct().count()).isEqualTo(f.alerts.size());

            f.watermark(f.clock() + 200 * D);
            assertThat(f.stateLeft()).isZero();
        }
    }

    /**
     * The user's case: a month of history posted in batches of 500 over two hours, without an import session, into
     * a running chain. Every batch is "late": the rows end as the reference anyway.
     */
    @Test
    void aHistoryPostedInBatchesWithoutASessionEndsInTheReferenceRows() throws Exception {
        FunnelSettings s = small();
        List<StageEvent> cards = new ArrayList<>(history(new Random(21), 400, 30));
        cards.sort(Comparator.comparingLong((StageEvent c) -> c.occurredAt));
        long now = T0 + 40 * D;
        try (FunnelChain f = new FunnelChain(s)) {
            f.watermark(now);
            for (int i = 0; i < cards.size(); i++) {
                long arrival = now + (i / 500) * 10 * M;
                f.watermark(arrival - 1);
                f.card(cards.get(i), arrival);
            }
            f.watermark(now + D / 2);
            assertThat(counts(f.finalRows())).containsExactlyElementsOf(reference(cards, s));
            // The digests of every date, as of that date (08:00 Shanghai is 00:00 UTC).
            List<Long> dates = new ArrayList<>();
            for (long d = T0 + 8 * H - D; d <= f.clock(); d += D) {
                dates.add(d);
            }
            List<String> digests = f.finalDigestRows().stream().filter(r -> !r.stage.equals("all") && r.customers > 0)
                    .map(r -> "weijiang " + r.team + " " + r.digestAt + " " + r.stage + " " + r.customers + " "
                            + r.overdue + " " + r.atRisk).sorted().toList();
            assertThat(digests).isNotEmpty().containsExactlyElementsOf(DigestReference.rows(cards, dates, s).stream()
                    .filter(r -> !r.matches(".* 0 0 0$")).toList());
            assertThat(f.alerts("digest").stream().map(a -> a.alertId).distinct().count())
                    .isEqualTo(f.alerts("digest").size());
        }
    }

    /**
     * Baseline week: every hour 40 customers enter contact and 30 advance within it (75%). A week later three hours
     * where only 10 of them advance: a drop episode, alerted. Then the missing needs cards arrive (an offline
     * phone): the drop was not real, its alert is withdrawn, once; rows are corrected.
     */
    @Test
    void aDropThatLateCardsUndoIsWithdrawnOnce() throws Exception {
        FunnelSettings s = hourly();
        try (FunnelChain f = new FunnelChain(s)) {
            long week = 7 * D;
            List<StageEvent> late = new ArrayList<>();
            for (int h = 0; h < 10; h++) {
                send(f, hourCards(T0 + h * H, 30));
                boolean drop = h >= 2 && h < 5;
                for (StageEvent c : hourCards(T0 + week + h * H, 30)) {
                    // In the dropping hours the needs cards of 20 customers wait on an offline phone.
                    if (drop && c.stage.equals("needs") && index(c) >= 10) {
                        late.add(c);
                    } else {
                        f.card(c);
                    }
                }
            }
            f.watermark(T0 + week + 12 * H);
            String id = "funnel_drop:weijiang:hz-west:*:contact:" + Instant.ofEpochMilli(T0 + week + 3 * H);
            assertThat(f.alerts("funnel_drop")).extracting(a -> a.alertId + " " + a.origin).containsExactly(id + " live");

            for (StageEvent c : late) {
                f.card(c, T0 + week + 13 * H);
            }
            f.watermark(T0 + week + 14 * H);
            assertThat(f.alerts("retraction")).singleElement().satisfies(a -> {
                assertThat(a.alertId).isEqualTo(Alert.retractionId(id));
                assertThat(a.retracts).isEqualTo(id);
                assertThat(a.title).contains("撤回");
                assertThat(a.origin).isEqualTo("live");
            });
            assertThat(f.finalRows()).filteredOn(r -> r.team.equals("*") && r.fromStage.equals("contact")
                    && r.windowEnd > T0 + week).allSatisfy(r -> {
                        assertThat(r.advanced).isEqualTo(30);
                        assertThat(r.flagged).isFalse();
                    });
            f.watermark(T0 + week + 40 * H);
            assertThat(f.alerts.stream().map(a -> a.alertId).distinct().count()).isEqualTo(f.alerts.size());
            assertThat(f.alerts("funnel_drop")).hasSize(1);
        }
    }

    /** Customers who did not advance are uploaded two days late: the episode a re-run opens is alerted once, as history. */
    @Test
    void aDropThatLateCardsRevealIsAlertedOnceAsHistory() throws Exception {
        try (FunnelChain f = new FunnelChain(hourly())) {
            long week = 7 * D;
            List<StageEvent> late = new ArrayList<>();
            for (int h = 0; h < 10; h++) {
                send(f, hourCards(T0 + h * H, 30));
                boolean drop = h >= 2 && h < 5;
                for (StageEvent c : hourCards(T0 + week + h * H, drop ? 10 : 30)) {
                    if (drop && index(c) >= 10) {
                        late.add(c); // the contact cards of the 30 who did not advance
                    } else {
                        f.card(c);
                    }
                }
            }
            f.watermark(T0 + week + 60 * H);
            assertThat(f.alerts("funnel_drop")).isEmpty();
            for (StageEvent c : late) {
                f.card(c, T0 + week + 61 * H);
            }
            f.watermark(T0 + week + 62 * H);
            f.watermark(T0 + week + 80 * H);
            assertThat(f.alerts("funnel_drop")).extracting(a -> a.alertId + " " + a.origin).containsExactly(
                    "funnel_drop:weijiang:hz-west:*:contact:" + Instant.ofEpochMilli(T0 + week + 3 * H) + " history");
            assertThat(f.alerts("retraction")).isEmpty();
        }
    }

    /**
     * A history import into a running chain: while its session is open nothing of the tenant is computed; at the
     * release everything is, once: rows as the reference, the drop in it alerted once as history, digests of past
     * dates as history and each date once.
     */
    @Test
    void anImportIsHeldUntilReadThenDecidedOnceAsHistory() throws Exception {
        FunnelSettings s = hourly();
        long week = 7 * D;
        List<StageEvent> history = new ArrayList<>();
        for (int h = 0; h < 10; h++) {
            history.addAll(hourCards(T0 + h * H, 30));
            history.addAll(hourCards(T0 + week + h * H, h >= 2 && h < 5 ? 10 : 30));
        }
        history.forEach(c -> c.importId = "imp-1");
        long now = T0 + 40 * D;
        try (FunnelChain f = new FunnelChain(s)) {
            f.watermark(now);
            f.importSession("imp-1", ImportSession.Status.OPEN, now, now + H);
            int n = 0;
            for (StageEvent c : history) {
                f.card(c, now + 1_000 + n++);
                if (n % 500 == 0) {
                    f.watermark(now + n * 10L);
                }
            }
            f.watermark(now + 10 * M);
            assertThat(f.rows).isEmpty();
            assertThat(f.alerts).isEmpty();
            assertThat(f.digestRows).isEmpty();

            f.importSession("imp-1", ImportSession.Status.COMPLETE, now + 11 * M, now + H);
            f.watermark(now + 11 * M);
            assertThat(f.rows).isEmpty(); // within the out-of-orderness after the completion
            f.watermark(now + 12 * M);
            assertThat(counts(f.finalRows())).containsExactlyElementsOf(reference(history, s));
            assertThat(f.rows).hasSameSizeAs(f.finalRows()); // computed once
            assertThat(f.alerts("funnel_drop")).extracting(a -> a.alertId + " " + a.origin).containsExactly(
                    "funnel_drop:weijiang:hz-west:*:contact:" + Instant.ofEpochMilli(T0 + week + 3 * H) + " history");
            assertThat(f.alerts("digest")).isNotEmpty().allMatch(a -> a.origin.equals("history"));
            f.watermark(now + 5 * D);
            assertThat(f.alerts.stream().map(a -> a.alertId).distinct().count()).isEqualTo(f.alerts.size());
            assertThat(f.alerts("funnel_drop")).hasSize(1);
            f.watermark(now + 300 * D);
            assertThat(f.stateLeft()).isZero();
        }
    }

    /**
     * The digest of a date counts the customers open then, whatever arrived since: customers that entered after it
     * are not counted, a card uploaded late corrects the date's rows and the alert is not sent again.
     */
    @Test
    void aDigestCountsWhatWasTrueOnItsDate() throws Exception {
        try (FunnelChain f = new FunnelChain(FunnelSettings.defaults())) {
            long day0 = T0 + 8 * H; // Monday 08:00 local
            for (int i = 0; i < 4; i++) {
                f.card(FunnelHarnessTest.card("a" + i, "needs", day0 - 2 * D + i * M));
            }
            StageEvent hp = FunnelHarnessTest.card("hp", "proposal", day0 - 6 * D);
            hp.highPotential = true;
            // Arrives with the others, but long after it occurred (an import-like backlog of one live tenant).
            f.card(hp, day0 - 2 * D + 10 * M);
            // Cards of later customers arrive before the digest is computed but occurred after its date.
            for (int i = 0; i < 6; i++) {
                f.card(FunnelHarnessTest.card("b" + i, "contact", day0 + 5 * M + i * M));
            }
            f.watermark(day0 + 20 * M);
            // One digest per date since the first card (all computed at this clock), the last one today's.
            assertThat(f.alerts("digest")).hasSize(7).last().satisfies(a -> {
                assertThat(a.alertId).isEqualTo("digest:weijiang:t-1:" + Instant.ofEpochMilli(day0));
                assertThat(a.message).contains("5 位客户").contains("1 位高潜客户已超时");
                assertThat(a.origin).isEqualTo("live");
            });
            assertThat(digest(f, day0 - 3 * D, "all").customers).isEqualTo(1); // only hp was open then
            DigestRow all = digest(f, day0, "all");
            assertThat(all.customers).isEqualTo(5);
            assertThat(all.overdue).isEqualTo(1);
            assertThat(all.atRisk).isEqualTo(1);

            // An offline phone uploads a4 (needs, a day before the digest); a0 is won an hour after it.
            f.card(FunnelHarnessTest.card("a4", "needs", day0 - D));
            StageEvent won = FunnelHarnessTest.card("a0", "closing", day0 + H);
            won.outcome = "won";
            f.card(won, day0 + 25 * M);
            f.watermark(day0 + 30 * M);
            assertThat(f.alerts("digest")).hasSize(7);
            assertThat(digest(f, day0, "all").customers).isEqualTo(6); // a4 counts, a0 was still open then
            assertThat(digest(f, day0, "needs").customers).isEqualTo(5);
            assertThat(f.digestRows.stream().filter(r -> r.digestAt == day0 && r.stage.equals("all"))).hasSize(2);
        }
    }

    @Test
    void aRepeatedObjectionAlertsOnceWhateverTheOrderItsCardsArriveIn() throws Exception {
        try (FunnelChain f = new FunnelChain(FunnelSettings.defaults())) {
            long t = T0 + 10 * H;
            f.card(FunnelHarnessTest.card("c1", "proposal", t));
            List<StageEvent> objections = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                objections.add(FunnelHarnessTest.card("c1", "objection", t + i * D));
            }
            f.watermark(t + 5 * D);
            // Newest first: the 4th, 3rd and 2nd make three (one alert), the 1st changes which card is the 3rd.
            for (int i = 3; i >= 0; i--) {
                f.card(objections.get(i), t + 5 * D + i);
            }
            assertThat(f.alerts("coaching")).singleElement().satisfies(a -> assertThat(a.alertId)
                    .isEqualTo("coaching:repeated_objection:weijiang:c1:price_high:" + Instant.ofEpochMilli(t + 4 * D)));
        }
    }

    /**
     * Script adoption is exact per week: week 1's objection cards mostly arrive after weeks 1 and 2 were checked;
     * the weeks are checked again, and the streak (weeks 1 and 2 credibly below 60%) is alerted once.
     */
    @Test
    void scriptAdoptionOfAWeekWhoseCardsArriveLateIsCheckedAgainAndAlertedOnce() throws Exception {
        try (FunnelChain f = new FunnelChain(FunnelSettings.defaults())) {
            double[] adoption = {0.8, 0.3, 0.3};
            List<StageEvent> late = new ArrayList<>();
            for (int w = 0; w < adoption.length; w++) {
                for (int i = 0; i < 40; i++) {
                    StageEvent o = FunnelHarnessTest.card("w" + w + "-" + i, "objection", T0 + w * 7 * D + D + i * H);
                    o.scriptId = i < adoption[w] * 40 ? "kb-price-01" : null;
                    if (w == 1 && i >= 4) {
                        late.add(o); // an offline phone: 4 cards came in time, too few to judge the week
                    } else {
                        f.card(o);
                    }
                }
            }
            f.watermark(T0 + 3 * 7 * D + H);
            assertThat(f.alerts("coaching")).isEmpty();
            for (StageEvent o : late) {
                f.card(o, T0 + 3 * 7 * D + 2 * H);
            }
            f.watermark(T0 + 3 * 7 * D + 3 * H);
            f.card(late.get(0), T0 + 3 * 7 * D + 4 * H); // sent again
            f.watermark(T0 + 5 * 7 * D);
            assertThat(f.alerts("coaching")).singleElement().satisfies(a -> {
                assertThat(a.alertId).isEqualTo("coaching:script_adoption:weijiang:hz-west:t-1:"
                        + Instant.ofEpochMilli(T0 + 7 * D));
                assertThat(a.message).contains("30%").contains("两周合计 80 张中 24 张");
            });
        }
    }

    // --- scenario helpers ---

    /** 1 h windows, one baseline week, p < 0.05, no confirm time, recovery 2 h. */
    private static FunnelSettings hourly() {
        return new FunnelSettings(Duration.ofHours(1), Duration.ofHours(1), Duration.ZERO, 1, 15, 20, 0.05,
                Duration.ZERO, Duration.ofHours(2), 3, 60, LocalTime.of(8, 0), ZoneId.of("Asia/Shanghai"),
                StageSla.defaults());
    }

    /** 40 customers enter contact in the hour (two reps of team t-1), the first {@code advancing} move to needs at :30. */
    private static List<StageEvent> hourCards(long start, int advancing) {
        List<StageEvent> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(FunnelHarnessTest.card("c-" + start + "-" + i, "contact", start + i * 1000L, "t-1",
                    i % 2 == 0 ? "r-001" : "r-002"));
        }
        for (int i = 0; i < advancing; i++) {
            out.add(FunnelHarnessTest.card("c-" + start + "-" + i, "needs", start + 30 * M + i * 1000L, "t-1",
                    i % 2 == 0 ? "r-001" : "r-002"));
        }
        return out;
    }

    private static int index(StageEvent c) {
        return Integer.parseInt(c.customerId.substring(c.customerId.lastIndexOf('-') + 1));
    }

    private static void send(FunnelChain f, List<StageEvent> cards) throws Exception {
        for (StageEvent c : cards) {
            f.card(c);
        }
    }

    private static DigestRow digest(FunnelChain f, long at, String stage) {
        return f.finalDigestRows().stream().filter(r -> r.digestAt == at && r.stage.equals(stage)).findFirst()
                .orElseThrow();
    }

    /** Random customers moving through the stages over {@code days} days, three teams in two regions, some won, some lost. */
    static List<StageEvent> history(Random r, int customers, int days) {
        List<StageEvent> out = new ArrayList<>();
        for (int c = 0; c < customers; c++) {
            long at = T0 + (long) (r.nextDouble() * days * D);
            String team = r.nextBoolean() ? "t-1" : "t-2";
            int opportunities = 1 + r.nextInt(2);
            for (int o = 0; o < opportunities; o++) {
                int rank = r.nextInt(2);
                while (true) {
                    boolean elsewhere = r.nextInt(8) == 0; // now and then a card of another team and region
                    StageEvent e = FunnelHarnessTest.card("c" + c, STAGES[rank], at, elsewhere ? "t-3" : team,
                            "r-00" + r.nextInt(4));
                    e.region = elsewhere ? "hz-east" : "hz-west";
                    boolean last = rank == 4;
                    if (last) {
                        e.outcome = r.nextInt(3) == 0 ? "pending" : (r.nextBoolean() ? "won" : "lost");
                    }
                    out.add(e);
                    at += (1 + r.nextInt(30)) * H / 2;
                    if (last && !"pending".equals(e.outcome) || r.nextInt(6) == 0) {
                        break;
                    }
                    rank = Math.min(4, rank + (r.nextInt(4) == 0 ? 0 : 1));
                }
            }
        }
        return out;
    }

    private static StageEvent copy(StageEvent e) {
        StageEvent c = FunnelHarnessTest.card(e.customerId, e.stage, e.occurredAt, e.team, e.repId);
        c.eventId = e.eventId;
        c.region = e.region;
        c.outcome = e.outcome;
        c.highPotential = e.highPotential;
        c.importId = e.importId;
        return c;
    }

    /** Rows as text, counts only (flags depend on episodes, which the reference does not judge). */
    private static List<String> counts(List<ConversionRow> rows) {
        return rows.stream().map(r -> r.region + " " + r.team + " " + r.fromStage + " " + r.windowEnd + " " + r.advanced
                + "/" + r.entered + " base " + r.baselineAdvanced + "/" + r.baselineEntered).toList();
    }

    /**
     * The measure of docs/funnel.md computed directly from all cards (independent of the job's code): entries per
     * (opportunity, stage) from the cards in (occurred_at, event_id) order, then every window end's counts by
     * brute force, in the order of {@link FunnelChain#finalRows()}.
     */
    static List<String> reference(List<StageEvent> cards, FunnelSettings s) {
        Map<String, Map<String, StageEvent>> byCustomer = new TreeMap<>();
        for (StageEvent c : cards) {
            byCustomer.computeIfAbsent(c.customerId, k -> new LinkedHashMap<>()).putIfAbsent(c.eventId, c);
        }
        record Entry(String region, String team, String stage, long at, long advancedAt) {}
        List<Entry> entries = new ArrayList<>();
        for (Map<String, StageEvent> m : byCustomer.values()) {
            List<StageEvent> sorted = new ArrayList<>(m.values());
            sorted.sort(Comparator.comparingLong((StageEvent e) -> e.occurredAt).thenComparing(e -> e.eventId));
            int start = 0;
            while (start < sorted.size()) {
                int end = start;
                while (end < sorted.size() - 1 && !closes(sorted.get(end))) {
                    end++;
                }
                for (int rank = 0; rank < STAGES.length; rank++) {
                    for (int i = start; i <= end; i++) {
                        StageEvent e = sorted.get(i);
                        if (rankOf(e) != rank) {
                            continue;
                        }
                        long advanced = Long.MAX_VALUE;
                        for (int j = rank == 4 ? i : i + 1; j <= end && advanced == Long.MAX_VALUE; j++) {
                            StageEvent n = sorted.get(j);
                            if (rank == 4 ? "won".equals(n.outcome) : rankOf(n) > rank) {
                                advanced = n.occurredAt;
                            }
                        }
                        entries.add(new Entry(e.region, e.team, STAGES[rank], e.occurredAt, advanced));
                        break;
                    }
                }
                start = end + 1;
            }
        }
        long min = entries.stream().mapToLong(Entry::at).min().orElse(0);
        long max = entries.stream().mapToLong(Entry::at).max().orElse(0);
        TreeMap<String, String> rows = new TreeMap<>();
        for (long end = Math.floorDiv(min, s.slideMs) * s.slideMs; end <= max + s.windowMs + s.slideMs; end += s.slideMs) {
            Map<String, long[]> counts = new TreeMap<>();
            for (Entry e : entries) {
                for (int k = 0; k <= s.baselineWeeks; k++) {
                    long t = end - k * FunnelSettings.WEEK;
                    if (e.at >= t - s.windowMs && e.at < t) {
                        for (String team : List.of(e.team, "*")) {
                            long[] c = counts.computeIfAbsent(e.region + " " + team + " " + e.stage, x -> new long[4]);
                            c[k == 0 ? 0 : 2]++;
                            if (e.advancedAt < t) {
                                c[k == 0 ? 1 : 3]++;
                            }
                        }
                    }
                }
            }
            for (Map.Entry<String, long[]> c : counts.entrySet()) {
                if (c.getValue()[0] > 0) {
                    rows.put(c.getKey() + String.format(" %020d", end), c.getKey() + " " + end + " " + c.getValue()[1]
                            + "/" + c.getValue()[0] + " base " + c.getValue()[3] + "/" + c.getValue()[2]);
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    private static boolean closes(StageEvent e) {
        return "closing".equals(e.stage) && ("won".equals(e.outcome) || "lost".equals(e.outcome));
    }

    private static int rankOf(StageEvent e) {
        return List.of(STAGES).indexOf(e.stage);
    }
}
