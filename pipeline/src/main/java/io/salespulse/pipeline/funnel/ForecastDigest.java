package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.Stage;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per (tenant, team): the daily forecast digest (alert type {@code digest}, rows in {@code forecast_digests}), as
 * it was true on its date.
 *
 * <p>At each digest time D (digest.time, local) every customer open in the team at D (per the cards with
 * occurred_at at or before D) falls in a class: its stage at D x whether it is past the stage's SLA then. The
 * forecast for the next 7 days is the sum over classes of customers x the class's recent rate, where the recent
 * rate is measured on this team's own digests of the dates D' in [D - 35d, D - 7d], evaluated as of those dates:
 * of the customers in the class at D', the share won within 7 days of D'. Customers who are not open yet but will
 * be won within 7 days are added as the average of such wins per earlier digest. The forecast is a predictive
 * distribution ({@link WinForecast}: rates uncertain, a class with little history leaning on its stage) with its
 * 80% interval. At risk = open, overdue and high potential; the text also names overdue customers with an
 * objection open. An open customer silent for the retention plus a day is forgotten.
 *
 * <p><b>Time.</b> The digest of D is computed once the arrival clock passes D + allowed lateness and the tenant
 * has no import in progress (a held team polls every 30 s). Its alert ({@code digest:<tenant>:<team>:<D UTC>})
 * goes out once, origin {@code history} when D lies more than a day back (dates an import brought, or a restart
 * after a long stop). A card arriving later re-evaluates the dates it changes: their rows are sent again when
 * they changed (within the retention), the alert is not.
 *
 * <p>State: per customer its stage history ({@link CustomerHistory}, from {@link CustomerFunnel}), kept while a
 * date it can change may still be recomputed; per date sent the hash of its rows; the progress (pending dates,
 * holds, the one timer). Cleared once no kept customer can matter any more.
 */
public final class ForecastDigest extends KeyedBroadcastProcessFunction<String, CustomerHistory, PolicyUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ForecastDigest.class);
    static final int CLASSES = Stage.values().length * 2;
    static final long DAY = 86_400_000L;
    static final long HORIZON = 7 * DAY;
    static final long HISTORY = 28 * DAY;

    public static final OutputTag<DigestRow> ROWS = new OutputTag<>("funnel-digest-rows") {};

    private final FunnelSettings settings;
    private final FunnelImports imports;
    private transient MapState<String, CustomerHistory> histories;
    private transient ValueState<DigestProgress> progress;
    /** Digest date -> the rows sent; the date's alert went out. */
    private transient MapState<Long, DigestSent> sent;
    /** State of versions before histories, converted on first access: open customers, and digest days (counts). */
    private transient MapState<String, OpenCustomer> formerOpen;
    private transient MapState<Long, DigestDay> formerDays;
    private transient Counter rowsCorrected;

    public ForecastDigest(FunnelSettings settings) {
        this.settings = settings;
        this.imports = new FunnelImports(settings);
    }

    public static String key(String tenant, String team) {
        return tenant + '\u001f' + team;
    }

    @Override
    public void open(OpenContext openContext) {
        histories = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-histories", Types.STRING, Types.POJO(CustomerHistory.class)));
        progress = getRuntimeContext().getState(
                new ValueStateDescriptor<>("digest-progress", Types.POJO(DigestProgress.class)));
        sent = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-sent", Types.LONG, Types.POJO(DigestSent.class)));
        formerOpen = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-open-customers", Types.STRING, Types.POJO(OpenCustomer.class)));
        formerDays = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("digest-days", Types.LONG, Types.POJO(DigestDay.class)));
        rowsCorrected = getRuntimeContext().getMetricGroup().addGroup("salespulse").counter("digestRowsCorrected");
    }

    @Override
    public void processElement(CustomerHistory h, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        DigestProgress p = progress(ctx.getCurrentKey());
        long clock = ctx.currentWatermark();
        CustomerHistory before = histories.get(h.customerId);
        CustomerHistory merged = merge(before, h);
        merged.receivedAt = ctx.timestamp() == null ? clock : ctx.timestamp();
        histories.put(h.customerId, merged);
        p.dirtyFrom = Math.min(p.dirtyFrom, nextDigest(changedAt(before, merged) - 1));
        imports.hold(p.holds, h.tenant, h.importId, ctx);
        p.timerAt = OneTimer.move(p.timerAt, wake(p, clock), ctx.timerService());
        progress.update(p);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        imports.apply(u, ctx); // policies do not concern the digest
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        if (progress.value() == null && histories.isEmpty() && formerOpen.isEmpty()) {
            return; // a timer left behind by a team already cleared
        }
        DigestProgress p = progress(ctx.getCurrentKey());
        if (!imports.fired(p, timestamp, ctx)) {
            progress.update(p);
            return;
        }
        TimerService timers = ctx.timerService();
        long clock = timers.currentWatermark();
        String[] key = ctx.getCurrentKey().split("\u001f", -1);
        long due = lastDigestAtOrBefore(clock - settings.latenessMs);
        Map<String, CustomerHistory> all = new HashMap<>();
        for (Map.Entry<String, CustomerHistory> e : histories.entries()) {
            all.put(e.getKey(), e.getValue());
        }
        if (p.dirtyFrom <= due) {
            long from = Math.max(p.dirtyFrom, p.correctableFrom);
            if (from <= due) {
                compute(from, due, clock, p, all, key, ctx, out);
            }
        }
        if (p.dirtyFrom != Long.MAX_VALUE || p.lastDigest != Long.MIN_VALUE) {
            p.lastDigest = Math.max(p.lastDigest, due);
        }
        trim(p, clock, all, key[1]);
        p.dirtyFrom = Long.MAX_VALUE;
        long relevant = Long.MIN_VALUE;
        long arrived = Long.MIN_VALUE;
        for (CustomerHistory h : all.values()) {
            relevant = Math.max(relevant, relevantUntil(h, key[1]));
            arrived = Math.max(arrived, h.receivedAt);
        }
        for (DigestSent d : sent.values()) {
            arrived = Math.max(arrived, d.computedAt);
        }
        if (p.lastDigest != Long.MIN_VALUE && relevant > p.lastDigest) {
            p.dirtyFrom = nextDigest(p.lastDigest); // customers still open: the next digest
        }
        if (p.dirtyFrom != Long.MAX_VALUE) {
            p.timerAt = OneTimer.move(p.timerAt, wake(p, clock), timers);
        } else if (all.isEmpty() && sent.isEmpty()) {
            clear();
            return;
        } else {
            p.timerAt = OneTimer.move(p.timerAt, Math.max(Math.max(relevant, p.lastDigest) + keep() + settings.latenessMs,
                    arrived + ConversionWindow.SETTLE + 1), timers);
        }
        progress.update(p);
    }

    /** Evaluates the digest dates [from, to]: new dates get their alert and rows, recomputed ones their changed rows. */
    private void compute(long from, long to, long clock, DigestProgress p, Map<String, CustomerHistory> all,
            String[] key, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        Map<Long, Day> days = new HashMap<>();
        long computedAt = p.computedAt(ctx.currentProcessingTime());
        int corrected = 0;
        int alerts = 0;
        for (long d = from; d <= to; d = nextDigest(d)) {
            Day today = day(d, all, key[1], p, days);
            DigestSent before = sent.get(d);
            if (today.total() == 0 && before == null) {
                continue;
            }
            Outcomes history = today.total() == 0 ? new Outcomes() // rows of a date left empty: nothing expected
                    : outcomes(d, x -> day(x, all, key[1], p, days), settings);
            long[] customers = new long[Stage.values().length];
            long[] overdue = new long[Stage.values().length];
            long[] atRisk = new long[Stage.values().length];
            for (Stage s : Stage.values()) {
                int i = s.rank();
                customers[i] = today.open[2 * i] + today.open[2 * i + 1];
                overdue[i] = today.open[2 * i + 1];
                atRisk[i] = today.risky[i];
            }
            WinForecast[] forecast = forecast(today, history);
            WinForecast[] stages = Arrays.copyOf(forecast, Stage.values().length);
            List<DigestRow> rows = FunnelText.digestRows(key[0], today.region(), key[1], d, customers, overdue,
                    atRisk, stages, forecast[Stage.values().length]);
            Alert alert = FunnelText.digestAlert(rows, today.risks(), settings, ctx.currentProcessingTime());
            rows.get(rows.size() - 1).message = today.total() == 0 ? "" : alert.message;
            long hash = 1;
            for (DigestRow r : rows) {
                hash = 31 * hash + Objects.hash(r.region, r.stage, r.customers, r.overdue, r.atRisk, r.expectedWins7d,
                        r.winsLow7d, r.winsHigh7d, r.message);
            }
            if (before != null && before.rowsHash == hash) {
                before.computedAt = clock;
                sent.put(d, before);
                continue;
            }
            if (before == null) {
                alert.origin = FunnelImports.aboutThePast(d, clock) ? Alert.HISTORY : Alert.LIVE;
                out.collect(alert);
                alerts++;
            } else {
                corrected += rows.size();
            }
            DigestSent now = new DigestSent();
            now.rowsHash = hash;
            now.computedAt = clock;
            sent.put(d, now);
            rows.forEach(r -> {
                r.computedAt = computedAt;
                ctx.output(ROWS, r);
            });
        }
        rowsCorrected.inc(corrected);
        if (corrected > 0) {
            LOG.info("Corrected {} forecast_digests row(s) of team {}/{}: digest dates {} to {} re-evaluated", corrected,
                    key[0], key[1], Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
        }
        if (alerts > 1) {
            LOG.info("Sent {} digests of team {}/{} at once ({} to {})", alerts, key[0], key[1],
                    Instant.ofEpochMilli(from), Instant.ofEpochMilli(to));
        }
    }

    /**
     * The forecast of date D: per stage (by rank) the wins of its open customers, and last the team's total with
     * the customers not open yet.
     */
    static WinForecast[] forecast(Day today, Outcomes history) {
        history.settle(today.open);
        WinForecast[] out = new WinForecast[Stage.values().length + 1];
        WinForecast.Pmf total = history.newWins();
        for (Stage s : Stage.values()) {
            int i = s.rank();
            WinForecast.Pmf stage = history.wins(2 * i, today.open[2 * i])
                    .plus(history.wins(2 * i + 1, today.open[2 * i + 1]));
            out[i] = WinForecast.of(stage);
            total = total.plus(stage);
        }
        out[Stage.values().length] = WinForecast.of(total);
        return out;
    }

    /** The team's outcomes on its digests of [D - 35d, D - 7d], each as of its date (their 7 days have passed by D). */
    static Outcomes outcomes(long digestAt, LongFunction<Day> days, FunnelSettings settings) {
        Outcomes o = new Outcomes();
        for (long d = nextDigest(digestAt - HORIZON - HISTORY - 1, settings); d <= digestAt - HORIZON;
                d = nextDigest(d, settings)) {
            o.add(days.apply(d));
        }
        return o;
    }

    /** The team as of date {@code d}: open customers per class, and the wins of the 7 days after it. */
    private Day day(long d, Map<String, CustomerHistory> all, String team, DigestProgress p, Map<Long, Day> days) {
        Day cached = days.get(d);
        if (cached != null) {
            return cached;
        }
        Day day;
        DigestDay former;
        try {
            former = d < p.convertedUntil ? formerDays.get(d) : null;
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the digest days of an earlier version", e);
        }
        if (former != null) {
            // Counted by an earlier version of the job on that date (no customers named: each counts on its own).
            day = new Day();
            for (int i = 0; i < CLASSES; i++) {
                day.open[i] = former.open[i];
                day.won[i] = former.wonWithin7d[i];
            }
            day.newWon = former.newWonWithin7d;
            day.anonymous = true;
        } else {
            day = count(d, all.values(), team, settings);
        }
        days.put(d, day);
        return day;
    }

    /** The team as of date {@code d} from the customers' histories. */
    static Day count(long d, Collection<CustomerHistory> all, String team, FunnelSettings settings) {
        Day day = new Day();
        for (CustomerHistory h : all) {
            StageInterval at = openAt(h, d, team, settings);
            int cls = -1;
            if (at != null) {
                Stage stage = Stage.fromCode(at.stage).orElseThrow();
                long lateBy = d - (at.stageEnteredAt + settings.sla.of(stage).toMillis());
                boolean late = lateBy > 0;
                cls = stage.rank() * 2 + (late ? 1 : 0);
                day.open[cls]++;
                day.regions.merge(at.region, 1, Integer::sum);
                if (late && at.highPotential) {
                    day.risky[stage.rank()]++;
                }
                if (late && (at.highPotential || stage == Stage.OBJECTION)) {
                    day.risks.add(new Risk(h.customerId, at.rep, stage, lateBy, at.highPotential));
                }
            }
            boolean credited = false;
            for (StageInterval i : h.intervals) {
                if ("won".equals(i.status) && team.equals(i.team) && i.from >= d
                        && i.from < d + HORIZON) {
                    // The customer's first win after a digest it was open at counts for its class there.
                    if (cls >= 0 && !credited) {
                        day.won[cls]++;
                        credited = true;
                    } else {
                        day.newWon++;
                        day.newWonBy.add(h.customerId);
                    }
                }
            }
            if (cls >= 0) {
                day.members.put(h.customerId, 2 * cls + (credited ? 1 : 0));
            }
        }
        return day;
    }

    /** The interval the customer is in at {@code d} if it is open in {@code team} then (not yet forgotten), else null. */
    private static StageInterval openAt(CustomerHistory h, long d, String team, FunnelSettings settings) {
        StageInterval at = null;
        for (int i = 0; i < h.intervals.length && h.intervals[i].from <= d; i++) {
            at = h.intervals[i];
        }
        if (at == null || !at.isOpen() || !team.equals(at.team) || d >= at.from + settings.retentionMs() + DAY) {
            return null; // not open in the team then, or silent for the retention plus a day (forgotten)
        }
        return at;
    }

    /** The stored history, with the new one from its first card on (older intervals are cards the funnel let go). */
    static CustomerHistory merge(CustomerHistory before, CustomerHistory now) {
        if (before == null || now.intervals.length == 0) {
            return now;
        }
        List<StageInterval> intervals = new ArrayList<>();
        for (StageInterval i : before.intervals) {
            if (i.from < now.intervals[0].from) {
                intervals.add(i);
            }
        }
        intervals.addAll(Arrays.asList(now.intervals));
        CustomerHistory merged = new CustomerHistory();
        merged.tenant = now.tenant;
        merged.customerId = now.customerId;
        merged.team = now.team;
        merged.lastCardAt = Math.max(now.lastCardAt, before.lastCardAt);
        merged.intervals = intervals.toArray(new StageInterval[0]);
        return merged;
    }

    /** The earliest moment at which the two histories can answer differently. */
    private long changedAt(CustomerHistory before, CustomerHistory now) {
        long at = Long.MAX_VALUE;
        StageInterval[] a = before == null ? new StageInterval[0] : before.intervals;
        StageInterval[] b = now.intervals;
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            if (i >= a.length || i >= b.length || a[i].from != b[i].from || !a[i].sameStateAs(b[i])) {
                at = Math.min(i < a.length ? a[i].from : Long.MAX_VALUE, i < b.length ? b[i].from : Long.MAX_VALUE);
                break;
            }
        }
        if (before != null && before.lastCardAt != now.lastCardAt) {
            at = Math.min(at, Math.min(before.lastCardAt, now.lastCardAt) + forgetAfter());
        }
        return at == Long.MAX_VALUE ? now.lastCardAt : at;
    }

    /** Until when the customer can change a digest of the team: while open in it, or its last win or loss. */
    private long relevantUntil(CustomerHistory h, String team) {
        StageInterval last = h.intervals[h.intervals.length - 1];
        return last.isOpen() && team.equals(last.team) ? h.lastCardAt + forgetAfter() : last.from;
    }

    /**
     * Drops what no date within the retention of the last digest can use: customers irrelevant since before its
     * rates' history, the rows sent for dates before it, counts of an earlier version. Not before a day after they
     * arrived (were computed), as the conversion windows do.
     */
    private void trim(DigestProgress p, long clock, Map<String, CustomerHistory> all, String team) throws Exception {
        if (p.lastDigest == Long.MIN_VALUE) {
            return;
        }
        long horizon = p.lastDigest - settings.retentionMs();
        long settled = clock - ConversionWindow.SETTLE;
        long lost = Long.MIN_VALUE; // the newest date that lost a customer or its record
        for (Iterator<Map.Entry<String, CustomerHistory>> it = all.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, CustomerHistory> e = it.next();
            long relevant = relevantUntil(e.getValue(), team);
            if (relevant < horizon - HORIZON - HISTORY && e.getValue().receivedAt <= settled) {
                histories.remove(e.getKey());
                it.remove();
                lost = Math.max(lost, relevant + HORIZON + HISTORY);
            }
        }
        for (Iterator<Map.Entry<Long, DigestSent>> it = sent.iterator(); it.hasNext();) {
            Map.Entry<Long, DigestSent> d = it.next();
            if (d.getKey() < horizon && d.getValue().computedAt <= settled) {
                it.remove();
                lost = Math.max(lost, d.getKey());
            }
        }
        for (Iterator<Long> it = formerDays.keys().iterator(); it.hasNext();) {
            if (it.next() < horizon - HORIZON - HISTORY) {
                it.remove();
            }
        }
        if (lost != Long.MIN_VALUE) {
            p.correctableFrom = Math.max(p.correctableFrom, lost + 1);
        }
    }

    /** How long after the last digest anything kept can still matter: the retention plus the rates' history. */
    private long keep() {
        return settings.retentionMs() + HORIZON + HISTORY + 2 * DAY;
    }

    private long forgetAfter() {
        return settings.retentionMs() + DAY;
    }

    private long wake(DigestProgress p, long clock) {
        return p.lastDigest != Long.MIN_VALUE && p.dirtyFrom <= p.lastDigest ? OneTimer.soon(clock)
                : p.dirtyFrom + settings.latenessMs;
    }

    /**
     * The team's progress. State of an earlier version (open customers and digest days) is converted: each open
     * customer becomes a history with one open interval (the customer funnel sends the real one with its next
     * card), the digest days give the counts of dates before the conversion, and dates up to the last one sent are
     * not sent again.
     */
    private DigestProgress progress(String key) throws Exception {
        DigestProgress p = progress.value();
        if (p != null) {
            return p;
        }
        p = new DigestProgress();
        String[] k = key.split("\u001f", -1);
        for (Map.Entry<String, OpenCustomer> e : formerOpen.entries()) {
            OpenCustomer c = e.getValue();
            StageInterval i = new StageInterval();
            i.from = c.stageEnteredAt;
            i.status = CustomerHistory.OPEN;
            i.stage = c.stage;
            i.stageEnteredAt = c.stageEnteredAt;
            i.highPotential = c.highPotential;
            i.rep = c.rep;
            i.region = c.region;
            i.team = k[1];
            CustomerHistory h = new CustomerHistory();
            h.tenant = k[0];
            h.customerId = e.getKey();
            h.team = k[1];
            h.lastCardAt = c.stageEnteredAt;
            h.intervals = new StageInterval[] {i};
            histories.put(e.getKey(), h);
        }
        formerOpen.clear();
        for (Long d : formerDays.keys()) {
            p.lastDigest = Math.max(p.lastDigest, d);
        }
        if (p.lastDigest != Long.MIN_VALUE) {
            p.convertedUntil = p.lastDigest + 1;
            p.correctableFrom = p.lastDigest + 1;
            p.dirtyFrom = nextDigest(p.lastDigest);
        }
        return p;
    }

    private void clear() {
        histories.clear();
        progress.clear();
        sent.clear();
        formerOpen.clear();
        formerDays.clear();
    }

    long nextDigest(long at) {
        return nextDigest(at, settings);
    }

    /** The first digest time strictly after {@code at}. */
    static long nextDigest(long at, FunnelSettings settings) {
        ZonedDateTime t = Instant.ofEpochMilli(at).atZone(settings.zone());
        ZonedDateTime d = t.toLocalDate().atTime(settings.digestTime).atZone(settings.zone());
        if (!d.isAfter(t)) {
            d = d.plusDays(1);
        }
        return d.toInstant().toEpochMilli();
    }

    /** The last digest time at or before {@code at}. */
    long lastDigestAtOrBefore(long at) {
        ZonedDateTime t = Instant.ofEpochMilli(at).atZone(settings.zone());
        ZonedDateTime d = t.toLocalDate().atTime(settings.digestTime).atZone(settings.zone());
        if (d.isAfter(t)) {
            d = d.minusDays(1);
        }
        return d.toInstant().toEpochMilli();
    }

    /** One date of the team: open customers per class, their wins in the 7 days after it, the other wins then. */
    static final class Day {
        final int[] open = new int[CLASSES];
        final int[] won = new int[CLASSES];
        final int[] risky = new int[Stage.values().length];
        int newWon;
        /** Open customer -> 2 x class + 1 when won within the 7 days (empty for an earlier version's counts). */
        final Map<String, Integer> members = new HashMap<>();
        /** The customers behind {@link #newWon}. */
        final List<String> newWonBy = new ArrayList<>();
        /** Counted by an earlier version: no customers named. */
        boolean anonymous;
        /** Overdue customers that are high potential or have an objection open. */
        final List<Risk> risks = new ArrayList<>();
        final Map<String, Integer> regions = new TreeMap<>();

        int total() {
            int n = 0;
            for (int o : open) {
                n += o;
            }
            return n;
        }

        /** The risks, most pressing first: high potential, then objection open, then longest overdue, then id. */
        List<Risk> risks() {
            List<Risk> sorted = new ArrayList<>(risks);
            sorted.sort(Comparator.comparing((Risk r) -> !r.highPotential)
                    .thenComparing(r -> r.stage != Stage.OBJECTION).thenComparing(r -> -r.overdueMs)
                    .thenComparing(r -> r.customerId));
            return sorted;
        }

        /** The region most of the open customers are in (the first by name on a tie). */
        String region() {
            String best = "";
            int most = 0;
            for (Map.Entry<String, Integer> r : regions.entrySet()) {
                if (r.getValue() > most) {
                    best = r.getKey();
                    most = r.getValue();
                }
            }
            return best;
        }
    }

    /** An overdue customer who carries the forecast's risk, and why. */
    record Risk(String customerId, String rep, Stage stage, long overdueMs, boolean highPotential) {}

    /**
     * What the team's earlier digests say: per class the customer-digests and the wins among them, the wins of
     * customers not open yet, and per customer what it contributed (a customer is open on several digests, often
     * in several classes, and one win of it counts on each: the digests are not independent trials).
     */
    static final class Outcomes {
        final long[] seen = new long[CLASSES];
        final long[] won = new long[CLASSES];
        int digests;
        long newWon;
        final Set<String> newWonBy = new HashSet<>();
        long anonymousNewWon;
        /** Per class: customer -> {digests, wins}; sorted, so that sums come out the same on every run. */
        final List<Map<String, int[]>> tallies = new ArrayList<>();
        /** Customer-digests of an earlier version's counts per class, and their wins (each its own trial). */
        final long[] anonymousSeen = new long[CLASSES];
        final long[] anonymousWon = new long[CLASSES];
        /** How much less than independent trials the customer-digests are worth, for the forecast at hand. */
        double designEffect = 1;

        Outcomes() {
            for (int i = 0; i < CLASSES; i++) {
                tallies.add(new TreeMap<>());
            }
        }

        void add(Day day) {
            if (day.total() == 0) {
                return;
            }
            digests++;
            newWon += day.newWon;
            for (int i = 0; i < CLASSES; i++) {
                seen[i] += day.open[i];
                won[i] += day.won[i];
            }
            if (day.anonymous) {
                anonymousNewWon += day.newWon;
                for (int i = 0; i < CLASSES; i++) {
                    anonymousSeen[i] += day.open[i];
                    anonymousWon[i] += day.won[i];
                }
                return;
            }
            newWonBy.addAll(day.newWonBy);
            for (Map.Entry<String, Integer> m : day.members.entrySet()) {
                int[] t = tallies.get(m.getValue() / 2).computeIfAbsent(m.getKey(), k -> new int[2]);
                t[0]++;
                t[1] += m.getValue() % 2;
            }
        }

        /**
         * The design effect of the forecast sum_c open_c x rate_c: its variance clustered by customer (the
         * sandwich estimator: each customer's residuals summed over all classes it was in, then squared) against
         * the variance the classes' rates would have as independent trials. At least 1.
         */
        void settle(int[] open) {
            double[] rate = new double[CLASSES];
            double independent = 0;
            double clustered = 0;
            Map<String, Double> perCustomer = new TreeMap<>();
            for (int c = 0; c < CLASSES; c++) {
                if (seen[c] == 0 || open[c] == 0) {
                    continue;
                }
                double r = (double) won[c] / seen[c];
                double weight = (double) open[c] / seen[c];
                rate[c] = r;
                independent += weight * weight * r * (1 - r) * seen[c];
                for (Map.Entry<String, int[]> t : tallies.get(c).entrySet()) {
                    perCustomer.merge(t.getKey(), weight * (t.getValue()[1] - r * t.getValue()[0]), Double::sum);
                }
                clustered += weight * weight
                        * (anonymousWon[c] * (1 - r) * (1 - r) + (anonymousSeen[c] - anonymousWon[c]) * r * r);
            }
            for (double psi : perCustomer.values()) {
                clustered += psi * psi;
            }
            designEffect = independent > 0 ? Math.max(1, clustered / independent) : 1;
        }

        /** The predictive distribution of the wins among {@code n} customers open in class {@code cls}. */
        WinForecast.Pmf wins(int cls, int n) {
            int sibling = cls ^ 1;
            long stageSeen = seen[cls] + seen[sibling];
            double stageRate = stageSeen == 0 ? 0 : (double) (won[cls] + won[sibling]) / stageSeen;
            return WinForecast.betaBinomial(n, won[cls] / designEffect, seen[cls] / designEffect, stageRate,
                    stageSeen > 0);
        }

        /** The predictive distribution of the wins of customers not open yet. */
        WinForecast.Pmf newWins() {
            double perDigest = digests == 0 ? 0 : (double) newWon / digests;
            return WinForecast.negativeBinomial(perDigest, newWonBy.size() + anonymousNewWon);
        }
    }
}
