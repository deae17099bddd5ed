package io.salespulse.pipeline.funnel;

import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per (tenant, region, from_stage): sliding conversion windows with keyed state and event-time timers (each
 * entry is stored once, not once per window it falls in).
 *
 * <p>At every window end T (a multiple of the slide), once event time passes T + allowed lateness, it emits a
 * {@code stage_conversion} row per team with entries in the window and one for the whole region (team
 * {@code *}): entered = entries with entryAt in [T - window, T); advanced = those with advancedAt < T. Baseline:
 * the same-length windows ending 1..N weeks before T, pooled. A row once emitted is final: an entry arriving
 * later still counts in later windows, never in that one. Then the drop episodes are advanced (see README).
 *
 * <p>State: the entries (dropped once older than every window and baseline still to come), the last window end
 * emitted, and the drop episode per team. One timer at a time: the next window end + lateness, while the key
 * has entries that a coming window can contain.
 *
 * <p>Input 2 (broadcast): {@code sales.policies}. The drop threshold and minimum volume of a (tenant, region) come
 * from its policy, the job settings being the defaults; a team row's flag uses the team's threshold. A change
 * applies from the next window end judged. Run by {@link CardClockBroadcastOperator}: policies never hold event
 * time back.
 */
public final class ConversionWindow
        extends KeyedBroadcastProcessFunction<String, FunnelEntry, PolicyUpdate, ConversionRow> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DropFinding> DROPS = new OutputTag<>("funnel-drops") {};

    private final FunnelSettings settings;
    private final FunnelPolicies policies;
    private transient MapState<String, FunnelEntry> entries;
    private transient ValueState<Long> lastWindowEnd;
    private transient MapState<String, DropEpisode> episodes;
    private transient ValueState<Long> firstEntryAt;

    public ConversionWindow(FunnelSettings settings) {
        this.settings = settings;
        this.policies = new FunnelPolicies(settings);
    }

    public static String key(String tenant, String region, String stage) {
        return tenant + '\u001f' + region + '\u001f' + stage;
    }

    @Override
    public void open(OpenContext openContext) {
        entries = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-entries", Types.STRING, Types.POJO(FunnelEntry.class)));
        lastWindowEnd = getRuntimeContext().getState(new ValueStateDescriptor<>("funnel-last-window-end", Types.LONG));
        firstEntryAt = getRuntimeContext().getState(new ValueStateDescriptor<>("funnel-first-entry-at", Types.LONG));
        episodes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-drop-episodes", Types.STRING, Types.POJO(DropEpisode.class)));
    }

    @Override
    public void processElement(FunnelEntry e, ReadOnlyContext ctx, Collector<ConversionRow> out) throws Exception {
        if (e.deleted) {
            entries.remove(e.entryId);
            return;
        }
        entries.put(e.entryId, e);
        long firstEnd = Math.floorDiv(e.entryAt, settings.slideMs) * settings.slideMs + settings.slideMs;
        Long last = lastWindowEnd.value();
        long next = last == null ? firstEnd : Math.max(firstEnd, last + settings.slideMs);
        if (next - settings.windowMs <= e.entryAt) {
            ctx.timerService().registerEventTimeTimer(next + settings.latenessMs);
        }
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<ConversionRow> out) throws Exception {
        policies.update(u, ctx.getBroadcastState(FunnelPolicies.STATE));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConversionRow> out) throws Exception {
        long end = timestamp - settings.latenessMs;
        Long last = lastWindowEnd.value();
        if (last != null && end <= last) {
            return; // already final
        }
        Window w = compute(end);
        Long first = firstEntryAt.value();
        if (first == null || w.oldestEntryAt < first) {
            first = w.oldestEntryAt;
            firstEntryAt.update(first);
        }
        // Until the key has history for every baseline window, a baseline is partial (a new region, the start of
        // the data): no drop is judged then.
        boolean warm = first <= end - settings.retentionMs();
        List<ConversionRow> rows = w.rows(ctx.getCurrentKey(), end, settings);
        ConversionRow region = rows.stream().filter(r -> r.team.equals(ConversionRow.ALL_TEAMS)).findFirst()
                .orElse(null);
        String[] key = ctx.getCurrentKey().split("\u001f", -1);
        var state = ctx.getBroadcastState(FunnelPolicies.STATE);
        EffectivePolicy regionPolicy = policies.resolve(state, key[0], key[1], null);
        boolean regionOpen = region != null && advanceEpisode(region, w, ctx, warm, regionPolicy);
        for (ConversionRow r : rows) {
            if (r != region) {
                // Teams are too small for their own alerts (README): a team row is flagged while the region's
                // episode is open and the team's own rate is down by more than the (team's) threshold.
                r.flagged = regionOpen && r.changePct != null && -r.changePct
                        > policies.dropThreshold(policies.resolve(state, key[0], key[1], r.team)) * 100;
            }
            out.collect(r);
        }
        lastWindowEnd.update(end);
        if (w.newestEntryAt >= end + settings.slideMs - settings.windowMs) {
            ctx.timerService().registerEventTimeTimer(end + settings.slideMs + settings.latenessMs);
        }
    }

    /** Counts of the window ending {@code end} and its baseline; drops entries no later window can use. */
    private Window compute(long end) throws Exception {
        Window w = new Window();
        long horizon = end + settings.slideMs - settings.retentionMs();
        for (Iterator<Map.Entry<String, FunnelEntry>> it = entries.iterator(); it.hasNext();) {
            FunnelEntry e = it.next().getValue();
            w.newestEntryAt = Math.max(w.newestEntryAt, e.entryAt);
            w.oldestEntryAt = Math.min(w.oldestEntryAt, e.entryAt);
            if (e.entryAt >= end - settings.windowMs && e.entryAt < end) {
                w.current(e.team, e.rep).add(e.advancedAt < end);
            }
            for (int k = 1; k <= settings.baselineWeeks; k++) {
                long bEnd = end - k * FunnelSettings.WEEK;
                if (e.entryAt >= bEnd - settings.windowMs && e.entryAt < bEnd) {
                    w.baseline(e.team, e.rep).add(e.advancedAt < bEnd);
                }
            }
            if (e.entryAt < horizon) {
                it.remove(); // counted for the last time: no later window or baseline contains it
            }
        }
        return w;
    }

    /** Moves the region's drop episode on; returns whether it is open. Flags the row while it is. */
    private boolean advanceEpisode(ConversionRow r, Window w, OnTimerContext ctx, boolean warm, EffectivePolicy policy)
            throws Exception {
        DropEpisode ep = episodes.get(r.team);
        if (ep == null) {
            ep = new DropEpisode();
        }
        double threshold = policies.dropThreshold(policy);
        double p = DropTest.pValue(r.advanced, r.entered, r.baselineAdvanced, r.baselineEntered);
        boolean dropping = warm && r.baselineRate != null && r.baselineRate > 0 && r.entered >= policies.minEntered(policy)
                && (r.baselineRate - r.rate) / r.baselineRate > threshold && p < settings.pValue;
        // Consecutive hourly windows share almost all their customers: one significant window is one test, and
        // with many keys some pass by chance. The drop must hold at every window end for the confirm time.
        ep.droppingSince = dropping ? (ep.droppingSince == 0 ? r.windowEnd : ep.droppingSince) : 0;
        if (!ep.open) {
            if (dropping && r.windowEnd - ep.droppingSince >= settings.confirmMs) {
                ep.open = true;
                ep.startedAt = r.windowEnd;
                ep.baselineAtStart = r.baselineRate;
                ep.recoveredSince = 0;
                DropFinding f = w.finding(r, p, settings);
                f.dropThreshold = threshold;
                ctx.output(DROPS, f);
            }
        } else {
            boolean recovered = r.rate >= ep.baselineAtStart * (1 - threshold / 2);
            if (!recovered) {
                ep.recoveredSince = 0;
            } else if (ep.recoveredSince == 0) {
                ep.recoveredSince = r.windowEnd;
            }
            if (recovered && r.windowEnd - ep.recoveredSince >= settings.recoveryMs) {
                ep.open = false;
            }
        }
        r.flagged = ep.open;
        episodes.put(r.team, ep);
        return ep.open;
    }

    /** Counts of one window end, per team and rep, current and baseline. */
    static final class Window {
        final Map<String, Counts> currentByTeam = new TreeMap<>();
        final Map<String, Counts> baselineByTeam = new TreeMap<>();
        final Map<String, Counts> currentByRep = new TreeMap<>();
        final Map<String, Counts> baselineByRep = new TreeMap<>();
        final Map<String, String> teamOfRep = new TreeMap<>();
        long newestEntryAt = Long.MIN_VALUE;
        long oldestEntryAt = Long.MAX_VALUE;

        Counts current(String team, String rep) {
            teamOfRep.put(rep, team);
            return new Both(currentByTeam.computeIfAbsent(team, t -> new Counts()),
                    currentByTeam.computeIfAbsent(ConversionRow.ALL_TEAMS, t -> new Counts()),
                    currentByRep.computeIfAbsent(rep, x -> new Counts()));
        }

        Counts baseline(String team, String rep) {
            return new Both(baselineByTeam.computeIfAbsent(team, t -> new Counts()),
                    baselineByTeam.computeIfAbsent(ConversionRow.ALL_TEAMS, t -> new Counts()),
                    baselineByRep.computeIfAbsent(rep, x -> new Counts()));
        }

        List<ConversionRow> rows(String key, long end, FunnelSettings settings) {
            String[] k = key.split("\u001f", -1);
            List<ConversionRow> rows = new ArrayList<>();
            for (Map.Entry<String, Counts> c : currentByTeam.entrySet()) {
                Counts b = baselineByTeam.getOrDefault(c.getKey(), new Counts());
                ConversionRow r = new ConversionRow();
                r.tenant = k[0];
                r.region = k[1];
                r.fromStage = k[2];
                r.team = c.getKey();
                r.windowStart = end - settings.windowMs;
                r.windowEnd = end;
                r.entered = c.getValue().entered;
                r.advanced = c.getValue().advanced;
                r.rate = (double) r.advanced / r.entered;
                r.baselineEntered = b.entered;
                r.baselineAdvanced = b.advanced;
                if (b.entered > 0) {
                    r.baselineRate = (double) b.advanced / b.entered;
                    r.changePct = r.baselineRate == 0 ? null : (r.rate - r.baselineRate) / r.baselineRate * 100.0;
                }
                rows.add(r);
            }
            return rows;
        }

        /** Where the missing advances are: per team (or rep), entered x its own baseline rate - advanced. */
        DropFinding finding(ConversionRow r, double p, FunnelSettings settings) {
            DropFinding f = new DropFinding();
            f.tenant = r.tenant;
            f.region = r.region;
            f.team = r.team;
            f.stage = r.fromStage;
            f.windowEnd = r.windowEnd;
            f.windowStart = r.windowStart;
            f.entered = r.entered;
            f.advanced = r.advanced;
            f.rate = r.rate;
            f.baselineRate = r.baselineRate;
            f.pValue = p;
            f.baselineEnteredPerWindow = (double) r.baselineEntered / settings.baselineWeeks;
            List<Gap> teams = new ArrayList<>();
            if (r.team.equals(ConversionRow.ALL_TEAMS)) {
                for (Map.Entry<String, Counts> t : currentByTeam.entrySet()) {
                    if (!t.getKey().equals(ConversionRow.ALL_TEAMS)) {
                        teams.add(gap(t.getKey(), t.getValue(), baselineByTeam.get(t.getKey()), r.baselineRate));
                    }
                }
            } else {
                teams.add(gap(r.team, currentByTeam.get(r.team), baselineByTeam.get(r.team), r.baselineRate));
            }
            List<Gap> main = mostOf(teams, 2);
            List<Gap> reps = new ArrayList<>();
            for (Map.Entry<String, Counts> rep : currentByRep.entrySet()) {
                String team = teamOfRep.get(rep.getKey());
                if (main.stream().anyMatch(g -> g.name.equals(team))) {
                    Counts teamBase = baselineByTeam.get(team);
                    double teamRate = teamBase == null || teamBase.entered == 0 ? r.baselineRate
                            : (double) teamBase.advanced / teamBase.entered;
                    reps.add(gap(rep.getKey(), rep.getValue(), baselineByRep.get(rep.getKey()), teamRate));
                }
            }
            List<Gap> mainReps = mostOf(reps, 2);
            f.mainTeams = String.join(",", main.stream().map(g -> g.name).toList());
            f.mainReps = String.join(",", mainReps.stream().map(g -> g.name).toList());
            f.concentration = FunnelText.concentration(r, teams, main, mainReps);
            return f;
        }

        /** Gaps of at least 0.5 customers, biggest first, until they make up 60% of the total (at most {@code max}). */
        static List<Gap> mostOf(List<Gap> gaps, int max) {
            double total = gaps.stream().mapToDouble(g -> Math.max(0, g.missing)).sum();
            List<Gap> sorted = new ArrayList<>(gaps);
            sorted.sort(Comparator.comparingDouble((Gap g) -> -g.missing).thenComparing(g -> g.name));
            List<Gap> out = new ArrayList<>();
            double sum = 0;
            for (Gap g : sorted) {
                if (g.missing < 0.5 || out.size() >= max || (total > 0 && sum >= 0.6 * total)) {
                    break;
                }
                out.add(g);
                sum += g.missing;
            }
            return out;
        }

        /** Own baseline rate when it has at least 5 entries, else the given fallback rate. */
        private static Gap gap(String name, Counts now, Counts base, double fallbackRate) {
            double rate = base != null && base.entered >= 5 ? (double) base.advanced / base.entered : fallbackRate;
            Gap g = new Gap();
            g.name = name;
            g.entered = now == null ? 0 : now.entered;
            g.advanced = now == null ? 0 : now.advanced;
            g.baselineRate = rate;
            g.missing = g.entered * rate - g.advanced;
            return g;
        }
    }

    static class Counts {
        long entered;
        long advanced;

        void add(boolean advancedBeforeEnd) {
            entered++;
            if (advancedBeforeEnd) {
                advanced++;
            }
        }
    }

    /** Adds to the team, the region and the rep at once. */
    static final class Both extends Counts {
        private final Counts[] targets;

        Both(Counts... targets) {
            this.targets = targets;
        }

        @Override
        void add(boolean advancedBeforeEnd) {
            for (Counts c : targets) {
                c.add(advancedBeforeEnd);
            }
        }
    }

    /** A team's or rep's share of a drop: customers it advanced fewer than its baseline rate predicts. */
    static final class Gap {
        String name;
        long entered;
        long advanced;
        double baselineRate;
        double missing;
    }
}
