package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per (tenant, region): turns drop findings into {@code funnel_drop} alerts with the diagnosis (objection tag mix
 * and script use, current window against the baseline windows) or into their retractions, and raises
 * {@code coaching} alerts for teams whose weekly script adoption stayed below the minimum two weeks running.
 *
 * <p>Script adoption is exact per week however the cards arrive: a local week is checked once the arrival clock
 * passes its end + allowed lateness and the tenant has no import in progress; objection cards that arrive later
 * for weeks already checked make those weeks (and the two after them) be checked again. An alert id
 * ({@code coaching:script_adoption:<tenant>:<region>:<team>:<first week>}) goes out once, origin {@code history}
 * when its second week ended more than a day back.
 *
 * <p>State: objection counts per slide-sized bucket (for the diagnosis of drops, which can come for window ends
 * up to the retention back, and further after an import: kept twice the retention, longer while an import's
 * drops may still come) and per (team, local week); the alerts sent; the progress (one timer).
 */
public final class RegionCoach extends KeyedBroadcastProcessFunction<String, RegionFact, PolicyUpdate, Alert> {
    private static final long serialVersionUID = 1L;

    private final FunnelSettings settings;
    private final FunnelImports imports;
    private transient MapState<Long, ObjectionCounts> buckets;
    private transient MapState<String, ObjectionCounts> teamWeeks;
    private transient ValueState<CoachProgress> progress;
    /** team + first week of the alerts sent. */
    private transient MapState<String, Boolean> sent;

    public RegionCoach(FunnelSettings settings) {
        this.settings = settings;
        this.imports = new FunnelImports(settings);
    }

    public static String key(String tenant, String region) {
        return tenant + '\u001f' + region;
    }

    @Override
    public void open(OpenContext openContext) {
        buckets = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-objection-buckets", Types.LONG, Types.POJO(ObjectionCounts.class)));
        teamWeeks = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-team-weeks", Types.STRING, Types.POJO(ObjectionCounts.class)));
        progress = getRuntimeContext().getState(
                new ValueStateDescriptor<>("funnel-coach-progress", Types.POJO(CoachProgress.class)));
        sent = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-script-alerts", Types.STRING, Types.BOOLEAN));
    }

    @Override
    public void processElement(RegionFact fact, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        if (fact.drop != null) {
            drop(fact.drop, ctx, out);
            return;
        }
        ObjectionFact f = fact.objection;
        long clock = ctx.currentWatermark();
        long arrival = ctx.timestamp() == null ? clock : ctx.timestamp();
        CoachProgress p = progress(clock);
        long bucket = Math.floorDiv(f.at, settings.slideMs) * settings.slideMs;
        ObjectionCounts c = buckets.get(bucket);
        if (c == null) {
            c = new ObjectionCounts();
        }
        c.add(f);
        c.lastArrival = Math.max(c.lastArrival, arrival);
        buckets.put(bucket, c);

        long weekStart = weekStart(f.at);
        String key = f.team + '\u001f' + weekStart;
        ObjectionCounts w = teamWeeks.get(key);
        if (w == null) {
            w = new ObjectionCounts();
        }
        w.add(f);
        w.lastArrival = Math.max(w.lastArrival, arrival);
        teamWeeks.put(key, w);
        p.dirtyWeek = Math.min(p.dirtyWeek, weekStart);
        imports.hold(p.holds, f.tenant, f.importId, ctx);
        p.timerAt = OneTimer.move(p.timerAt, wake(p, clock), ctx.timerService());
        progress.update(p);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        imports.apply(u, ctx); // policies apply to the alerts later (funnel-alert-policies)
    }

    /** A drop episode opened (its alert, with the objection mix of its window against the baseline windows) or was withdrawn. */
    private void drop(DropFinding f, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        if (f.recovery) {
            Alert a = FunnelText.recoveryAlert(f, settings, ctx.currentProcessingTime());
            a.origin = f.origin;
            out.collect(a);
            return;
        }
        if (f.retraction) {
            Alert a = FunnelText.dropRetraction(f, settings, ctx.currentProcessingTime());
            a.origin = f.origin;
            out.collect(a);
            return;
        }
        ObjectionCounts now = sum(f.windowEnd - settings.windowMs, f.windowEnd);
        ObjectionCounts base = new ObjectionCounts();
        for (int k = 1; k <= settings.baselineWeeks; k++) {
            long end = f.windowEnd - k * FunnelSettings.WEEK;
            base.addAll(sum(end - settings.windowMs, end));
        }
        Alert a = FunnelText.dropAlert(f, now, base, settings, ctx.currentProcessingTime());
        a.origin = f.origin;
        out.collect(a);
    }

    /**
     * Weeks ended: teams whose adoption was credibly below the minimum last week and this week (but not in the two
     * weeks before) get coached ({@link ScriptAdoption}).
     */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long clock = ctx.timerService().currentWatermark();
        CoachProgress p = progress.value() == null && teamWeeks.isEmpty() && buckets.isEmpty() ? null : progress(clock);
        if (p == null) {
            return; // a timer left behind by a region already cleared
        }
        if (!imports.fired(p, timestamp, ctx)) {
            progress.update(p);
            return;
        }
        TimerService timers = ctx.timerService();
        String[] key = ctx.getCurrentKey().split("\u001f", -1);
        long dueWeek = weekStart(clock - settings.latenessMs) - FunnelSettings.WEEK; // the last week ended by then
        if (p.dirtyWeek <= dueWeek) {
            long from = Math.max(p.dirtyWeek, p.correctableFrom);
            for (long week = from; week <= dueWeek; week = nextWeek(week)) {
                check(week, key, clock, ctx, out);
            }
        }
        p.lastWeek = Math.max(p.lastWeek, dueWeek);
        if (!imports.releasedRecently(key[0], clock, FunnelImports.sessions(ctx))) {
            trim(p, clock);
        }
        p.dirtyWeek = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        long arrived = Long.MIN_VALUE;
        for (Map.Entry<String, ObjectionCounts> w : teamWeeks.entries()) {
            long week = weekOf(w.getKey());
            newest = Math.max(newest, week);
            arrived = Math.max(arrived, w.getValue().lastArrival);
            if (week > p.lastWeek) {
                p.dirtyWeek = Math.min(p.dirtyWeek, week);
            }
        }
        for (Map.Entry<Long, ObjectionCounts> b : buckets.entries()) {
            newest = Math.max(newest, b.getKey());
            arrived = Math.max(arrived, b.getValue().lastArrival);
        }
        if (p.dirtyWeek != Long.MAX_VALUE) {
            p.timerAt = OneTimer.move(p.timerAt, wake(p, clock), timers);
        } else if (newest == Long.MIN_VALUE && sent.isEmpty()) {
            // Empty maps still hold an entry per key until cleared.
            buckets.clear();
            teamWeeks.clear();
            sent.clear();
            progress.clear();
            return;
        } else {
            p.timerAt = OneTimer.move(p.timerAt, Math.max(Math.max(newest, p.lastWeek) + keep() + FunnelSettings.WEEK
                    + settings.latenessMs, arrived + ConversionWindow.SETTLE + 1), timers);
        }
        progress.update(p);
    }

    /** Checks one week of every team that has objection cards in it. */
    private void check(long week, String[] key, long clock, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long previous = week - FunnelSettings.WEEK;
        TreeSet<String> teams = new TreeSet<>();
        for (String k : teamWeeks.keys()) {
            if (k.endsWith("\u001f" + week)) {
                teams.add(k.substring(0, k.indexOf('\u001f')));
            }
        }
        for (String team : teams) {
            ObjectionCounts thisWeek = teamWeeks.get(team + '\u001f' + week);
            ObjectionCounts lastWeek = teamWeeks.get(team + '\u001f' + previous);
            ObjectionCounts before = teamWeeks.get(team + '\u001f' + (previous - FunnelSettings.WEEK));
            String id = team + '\u001f' + previous;
            if (credibleBelow(lastWeek, thisWeek) && !credibleBelow(before, lastWeek) && !sent.contains(id)) {
                Alert a = FunnelText.scriptAdoptionAlert(key[0], key[1], team, previous, lastWeek, thisWeek, settings,
                        ctx.currentProcessingTime());
                a.origin = FunnelImports.aboutThePast(a.firedAt, clock) ? Alert.HISTORY : Alert.LIVE;
                sent.put(id, true);
                out.collect(a);
            }
        }
    }

    /**
     * Drops what can no longer be used: buckets older than twice the retention (drops come for window ends up to
     * the retention back, and need their baseline) and weeks older than that, not before a day after their last
     * card arrived (an upload of history without an import session still finds them). A week is checked again
     * only while it and the two before it are kept; the alerts sent are remembered as long.
     */
    private void trim(CoachProgress p, long clock) throws Exception {
        long horizon = clock - keep();
        long settled = clock - ConversionWindow.SETTLE;
        for (Iterator<Map.Entry<Long, ObjectionCounts>> it = buckets.iterator(); it.hasNext();) {
            Map.Entry<Long, ObjectionCounts> b = it.next();
            if (b.getKey() < horizon && b.getValue().lastArrival <= settled) {
                it.remove();
            }
        }
        long lost = Long.MIN_VALUE;
        for (Iterator<Map.Entry<String, ObjectionCounts>> it = teamWeeks.iterator(); it.hasNext();) {
            Map.Entry<String, ObjectionCounts> w = it.next();
            long week = weekOf(w.getKey());
            if (week < horizon && w.getValue().lastArrival <= settled) {
                it.remove();
                lost = Math.max(lost, week);
            }
        }
        if (lost != Long.MIN_VALUE) {
            p.correctableFrom = Math.max(p.correctableFrom, nextWeek(nextWeek(nextWeek(lost))));
        }
        for (Iterator<String> it = sent.keys().iterator(); it.hasNext();) {
            if (weekOf(it.next()) < p.correctableFrom - FunnelSettings.WEEK) {
                it.remove(); // no check can raise it again
            }
        }
    }

    /** The week of a key {@code team + '\u001f' + week start}. */
    private static long weekOf(String key) {
        return Long.parseLong(key.substring(key.indexOf('\u001f') + 1));
    }

    private long keep() {
        return 2 * settings.retentionMs() + ForecastDigest.DAY;
    }

    private long wake(CoachProgress p, long clock) {
        return p.lastWeek != Long.MIN_VALUE && p.dirtyWeek <= p.lastWeek ? OneTimer.soon(clock)
                : nextWeek(p.dirtyWeek) + settings.latenessMs;
    }

    /** The region's progress; with state of an earlier version, the weeks ended by now were checked by it. */
    private CoachProgress progress(long clock) throws Exception {
        CoachProgress p = progress.value();
        if (p != null) {
            return p;
        }
        p = new CoachProgress();
        if ((!teamWeeks.isEmpty() || !buckets.isEmpty()) && clock != Long.MIN_VALUE) {
            p.lastWeek = weekStart(clock - settings.latenessMs) - FunnelSettings.WEEK;
            p.correctableFrom = nextWeek(p.lastWeek);
        }
        return p;
    }

    private boolean credibleBelow(ObjectionCounts first, ObjectionCounts second) {
        return ScriptAdoption.credibleBelow(first, second, settings.scriptAdoption);
    }

    private ObjectionCounts sum(long from, long to) throws Exception {
        ObjectionCounts c = new ObjectionCounts();
        for (long b = Math.floorDiv(from, settings.slideMs) * settings.slideMs; b < to; b += settings.slideMs) {
            ObjectionCounts x = b >= from ? buckets.get(b) : null;
            if (x != null) {
                c.addAll(x);
            }
        }
        return c;
    }

    /** Monday 00:00 local time of the week containing {@code at}. */
    long weekStart(long at) {
        ZonedDateTime t = Instant.ofEpochMilli(at).atZone(settings.zone());
        return t.toLocalDate().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(settings.zone())
                .toInstant().toEpochMilli();
    }

    /** Monday 00:00 local time of the week after the one starting at {@code weekStart}. */
    long nextWeek(long weekStart) {
        return weekStart(weekStart + FunnelSettings.WEEK + ForecastDigest.DAY / 2);
    }
}
