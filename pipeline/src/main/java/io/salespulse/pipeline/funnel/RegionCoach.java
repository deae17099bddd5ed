package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per (tenant, region): turns drop findings into {@code funnel_drop} alerts with the diagnosis (objection tag mix
 * and script use, current window against the baseline windows), and raises {@code coaching} alerts for teams
 * whose weekly script adoption stayed below the minimum two weeks running.
 *
 * <p>State: objection counts per slide-sized bucket (kept for the window plus the baseline weeks) and per
 * (team, local week) (kept three weeks). One event-time timer per week end + lateness that has objections.
 */
public final class RegionCoach extends KeyedCoProcessFunction<String, DropFinding, ObjectionFact, Alert> {
    private static final long serialVersionUID = 1L;
    /** Fewer objection cards than this in a week say nothing about a team's adoption. */
    static final int MIN_WEEKLY_OBJECTIONS = 5;

    private final FunnelSettings settings;
    private transient MapState<Long, ObjectionCounts> buckets;
    private transient MapState<String, ObjectionCounts> teamWeeks;

    public RegionCoach(FunnelSettings settings) {
        this.settings = settings;
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
    }

    @Override
    public void processElement1(DropFinding f, Context ctx, Collector<Alert> out) throws Exception {
        ObjectionCounts now = sum(f.windowEnd - settings.windowMs, f.windowEnd);
        ObjectionCounts base = new ObjectionCounts();
        for (int k = 1; k <= settings.baselineWeeks; k++) {
            long end = f.windowEnd - k * FunnelSettings.WEEK;
            base.addAll(sum(end - settings.windowMs, end));
        }
        out.collect(FunnelText.dropAlert(f, now, base, settings, ctx.timerService().currentProcessingTime()));
    }

    @Override
    public void processElement2(ObjectionFact f, Context ctx, Collector<Alert> out) throws Exception {
        long bucket = Math.floorDiv(f.at, settings.slideMs) * settings.slideMs;
        ObjectionCounts c = buckets.get(bucket);
        if (c == null) {
            c = new ObjectionCounts();
        }
        c.add(f);
        buckets.put(bucket, c);

        long weekStart = weekStart(f.at);
        String key = f.team + '\u001f' + weekStart;
        ObjectionCounts w = teamWeeks.get(key);
        if (w == null) {
            w = new ObjectionCounts();
        }
        w.add(f);
        teamWeeks.put(key, w);
        ctx.timerService().registerEventTimeTimer(weekStart + FunnelSettings.WEEK + settings.latenessMs);
    }

    /** A week ended: teams below the adoption minimum this week and last week (but not the one before) get coached. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        long weekStart = timestamp - settings.latenessMs - FunnelSettings.WEEK;
        long previous = weekStart - FunnelSettings.WEEK;
        List<String> teams = new ArrayList<>();
        for (Iterator<Map.Entry<String, ObjectionCounts>> it = teamWeeks.iterator(); it.hasNext();) {
            Map.Entry<String, ObjectionCounts> e = it.next();
            String[] k = e.getKey().split("\u001f");
            long start = Long.parseLong(k[1]);
            if (start < weekStart - 2 * FunnelSettings.WEEK) {
                it.remove();
            } else if (start == weekStart) {
                teams.add(k[0]);
            }
        }
        String[] key = ctx.getCurrentKey().split("\u001f");
        for (String team : teams) {
            ObjectionCounts thisWeek = teamWeeks.get(team + '\u001f' + weekStart);
            ObjectionCounts lastWeek = teamWeeks.get(team + '\u001f' + previous);
            ObjectionCounts before = teamWeeks.get(team + '\u001f' + (previous - FunnelSettings.WEEK));
            if (below(thisWeek) && below(lastWeek) && !below(before)) {
                out.collect(FunnelText.scriptAdoptionAlert(key[0], key[1], team, previous, lastWeek, thisWeek,
                        settings, ctx.timerService().currentProcessingTime()));
            }
        }
        long horizon = weekStart - settings.retentionMs();
        for (Iterator<Map.Entry<Long, ObjectionCounts>> it = buckets.iterator(); it.hasNext();) {
            if (it.next().getKey() < horizon) {
                it.remove();
            }
        }
    }

    private boolean below(ObjectionCounts week) {
        return week != null && week.total >= MIN_WEEKLY_OBJECTIONS
                && (double) week.scripted / week.total < settings.scriptAdoption;
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
}
