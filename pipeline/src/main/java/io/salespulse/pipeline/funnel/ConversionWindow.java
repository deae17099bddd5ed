package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
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
 * Per (tenant, region, from_stage): sliding conversion windows, exact however and whenever the cards arrive.
 *
 * <p><b>The measure</b> (docs/funnel.md): for a window end T (a multiple of the slide) and each team
 * with entries, plus the whole region (team {@code *}): entered = entries with entryAt in [T - window, T),
 * advanced = those with advancedAt &lt; T; baseline = the same counts at T - 1..N weeks, pooled.
 *
 * <p><b>Time.</b> Window ends are in the cards' own time; the operator's clock is arrival time. The row of T is
 * computed once the clock passes T + allowed lateness: every card that arrived before then has been read. A
 * card that arrives later (an offline phone, a retry, an import into a running key) changes entries of ends
 * already computed: those ends are recomputed and the rows that changed are sent again (a later
 * {@code computed_at} wins in ClickHouse). Each end keeps in its {@link WindowEndLog} the hash of every row sent,
 * so unchanged rows are not re-sent; a team whose entries all moved away gets a row with entered = 0. Ends more
 * than the retention (window + baseline weeks) before the last end computed are final.
 *
 * <p><b>Computing.</b> All due ends at once, however many (an import brings thousands): one pass over the entries
 * adds each one's contribution to a difference array over the window ends it counts in (its window and, for
 * advanced, from its advance on), prefix sums give every end's own counts, and baselines add up the counts one
 * to N weeks earlier. Cost: entries + ends x teams, not entries x ends.
 *
 * <p><b>Drop episodes</b> are a function of the sequence of region rows: judged in window-end order, from the
 * first end whose region counts changed, starting from the episode logged after the end before it. An episode a
 * re-run no longer opens gets its alert withdrawn (a retraction finding); one a re-run opens and that was never
 * alerted is alerted (origin history when its end lies more than a day back). An alert id goes out once.
 *
 * <p><b>Imports.</b> While the tenant has an import in progress, or the key has entries of an import not read
 * completely, nothing is computed: the key polls every 30 s of arrival time, then computes everything that
 * waited at once. Entries an import brings that are older than the retention are kept until computed.
 *
 * <p><b>Which test.</b> With {@code funnel.drop-test=sequential} (the default) an end is judged by
 * {@link SequentialDropTest} on the key's entries (censored per-entry evidence, recovery messages); with
 * {@code window}, by the 7-day rate's z-test ({@link #judge}). Either way episodes are re-run from the first changed end.
 *
 * <p>State: the entries (kept until no end within the retention of the last one computed needs them), the last
 * end computed, the log per end (within the retention), the drop alerts sent, the progress (pending ends, holds,
 * the one timer); for the sequential test the episode after each logged end ({@code funnel-drop-watch}, trimmed with
 * the log), the one after the newest end trimmed ({@code funnel-drop-watch-base}) and the recoveries sent. A key
 * restored from a version without them converts the logged episode ({@link DropWatch#of}). Everything is cleared
 * once the key's last entry is beyond the retention.
 *
 * <p>Input 2 (broadcast): the control stream. Policies: the drop threshold and minimum volume of a (tenant,
 * region) come from its policy (job settings as defaults), a team row's flag uses the team's threshold; a change
 * applies from the next window end judged. Import sessions: {@link FunnelImports}. Run by
 * {@link CardClockBroadcastOperator}: control records never hold the clock back.
 */
public final class ConversionWindow
        extends KeyedBroadcastProcessFunction<String, FunnelEntry, PolicyUpdate, ConversionRow> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConversionWindow.class);

    public static final OutputTag<RegionFact> DROPS = new OutputTag<>("funnel-drops") {};

    /** States of a drop alert in {@link #drops}. */
    static final int ALERTED_LIVE = 0;
    static final int ALERTED_HISTORY = 1;
    static final int RETRACTED = 2;
    /** How long after its arrival (computation) an entry (a window end's record) is kept in any case. */
    static final long SETTLE = ForecastDigest.DAY;
    /** Hash of a row sent with entered = 0 (its entries moved away). */
    private static final long EMPTY_ROW = 1L;

    private final FunnelSettings settings;
    private final FunnelPolicies policies;
    private final FunnelImports imports;
    private transient MapState<String, FunnelEntry> entries;
    /** All window ends up to this one are decided (computed, or without entries). */
    private transient ValueState<Long> lastWindowEnd;
    /** The oldest entry time the key has had: a drop is judged only once every baseline window has history. */
    private transient ValueState<Long> firstEntryAt;
    /** State of versions before the log: the drop episode after the last end computed (key {@code *}); converted. */
    private transient MapState<String, DropEpisode> formerEpisodes;
    private transient ValueState<WindowProgress> progress;
    private transient MapState<Long, WindowEndLog> log;
    /** Window end that opened an episode -> {@link #ALERTED_LIVE}, {@link #ALERTED_HISTORY} or {@link #RETRACTED}. */
    private transient MapState<Long, Integer> drops;
    /**
     * Sequential test (settings.sequential): the episode after each logged window end (kept and trimmed with the
     * log), the one after the newest end trimmed from it, and episode start -> window end whose recovery was alerted.
     */
    private transient MapState<Long, DropWatch> watches;
    private transient ValueState<DropWatch> watchBase;
    private transient MapState<Long, Long> recoveries;
    private transient SequentialDropTest sequentialTest;

    private transient Counter rowsCorrected;
    private transient Counter dropsRetracted;
    private transient Counter changesTooOld;

    public ConversionWindow(FunnelSettings settings) {
        this.settings = settings;
        this.policies = new FunnelPolicies(settings);
        this.imports = new FunnelImports(settings);
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
        formerEpisodes = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-drop-episodes", Types.STRING, Types.POJO(DropEpisode.class)));
        progress = getRuntimeContext().getState(
                new ValueStateDescriptor<>("funnel-window-progress", Types.POJO(WindowProgress.class)));
        log = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-window-log", Types.LONG, Types.POJO(WindowEndLog.class)));
        drops = getRuntimeContext().getMapState(new MapStateDescriptor<>("funnel-drop-alerts", Types.LONG, Types.INT));
        watches = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-drop-watch", Types.LONG, Types.POJO(DropWatch.class)));
        watchBase = getRuntimeContext().getState(
                new ValueStateDescriptor<>("funnel-drop-watch-base", Types.POJO(DropWatch.class)));
        recoveries = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("funnel-drop-recoveries", Types.LONG, Types.LONG));
        sequentialTest = new SequentialDropTest(settings.windowMs, settings.baselineWeeks * FunnelSettings.WEEK,
                settings.zone(), settings.dropEvidence);
        var metrics = getRuntimeContext().getMetricGroup().addGroup("salespulse");
        rowsCorrected = metrics.counter("funnelRowsCorrected");
        dropsRetracted = metrics.counter("funnelDropsRetracted");
        changesTooOld = metrics.counter("funnelChangesTooOld");
    }

    @Override
    public void processElement(FunnelEntry e, ReadOnlyContext ctx, Collector<ConversionRow> out) throws Exception {
        WindowProgress p = progress();
        long clock = ctx.currentWatermark();
        FunnelEntry before = entries.get(e.entryId);
        if (e.deleted) {
            if (before == null) {
                return;
            }
            entries.remove(e.entryId);
        } else {
            e.arrivedAt = ctx.timestamp() == null ? clock : ctx.timestamp();
            entries.put(e.entryId, e);
        }
        p.dirtyFrom = Math.min(p.dirtyFrom, firstChangedEnd(before, e.deleted ? null : e));
        imports.hold(p.holds, tenantOf(ctx.getCurrentKey()), e.importId, ctx);
        if (p.dirtyFrom != Long.MAX_VALUE) {
            p.timerAt = OneTimer.move(p.timerAt, wake(p, lastWindowEnd.value(), clock), ctx.timerService());
        }
        progress.update(p);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<ConversionRow> out) throws Exception {
        if (!imports.apply(u, ctx)) {
            policies.update(u, ctx.getBroadcastState(FunnelPolicies.STATE));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConversionRow> out) throws Exception {
        WindowProgress p = progress.value() == null && lastWindowEnd.value() == null && entries.isEmpty() ? null
                : progress();
        if (p == null) {
            return; // a timer left behind by a key already cleared
        }
        if (!imports.fired(p, timestamp, ctx)) {
            progress.update(p);
            return;
        }
        TimerService timers = ctx.timerService();
        long clock = timers.currentWatermark();
        String[] key = ctx.getCurrentKey().split("\u001f", -1);
        Long last = lastWindowEnd.value();
        long due = settings.dueEnd(clock);
        List<FunnelEntry> all = new ArrayList<>();
        for (FunnelEntry e : entries.values()) {
            all.add(e);
        }
        Long newLast = last;
        if (p.dirtyFrom <= due) {
            long from = p.dirtyFrom;
            if (last != null && from < p.correctableFrom) {
                changesTooOld.inc();
                LOG.warn("Cards changed window ends of {} from {} on, older than the retention before the last end"
                        + " computed ({}): those rows stay as they were", describe(key), Instant.ofEpochMilli(from),
                        Instant.ofEpochMilli(last));
                from = p.correctableFrom;
            }
            if (from <= due) {
                compute(from, due, last, clock, all, p, ctx, out);
            }
            newLast = last == null ? due : Math.max(last, due);
        } else if (last != null) {
            newLast = Math.max(last, due);
        }
        if (newLast != null) {
            lastWindowEnd.update(newLast);
            trim(newLast, clock, all, p);
        }
        p.dirtyFrom = nextPending(all, newLast);
        if (p.dirtyFrom != Long.MAX_VALUE) {
            p.timerAt = OneTimer.move(p.timerAt, wake(p, newLast, clock), timers);
        } else {
            long[] kept = keptUntil(all);
            if (kept[0] == Long.MIN_VALUE) {
                clear(); // nothing left that a coming card could need
                return;
            }
            // Wake when everything kept lies beyond the retention of the window ends decided by then, and settled.
            p.timerAt = OneTimer.move(p.timerAt, Math.max(kept[0] + settings.retentionMs() + settings.latenessMs,
                    kept[1] + SETTLE + 1), timers);
        }
        progress.update(p);
    }

    /**
     * (Re)computes the window ends [from, to]: rows, drop episodes from the first end whose region counts
     * changed, drop alerts and retractions; sends what changed and logs it.
     */
    private void compute(long from, long to, Long last, long clock, List<FunnelEntry> all, WindowProgress p,
            OnTimerContext ctx, Collector<ConversionRow> out) throws Exception {
        String[] key = ctx.getCurrentKey().split("\u001f", -1);
        Sweep sweep = new Sweep(settings, from, to, all);
        TreeMap<Long, WindowEndLog> logged = new TreeMap<>();
        for (Map.Entry<Long, WindowEndLog> l : log.entries()) {
            logged.put(l.getKey(), l.getValue());
        }
        long first = firstEntryAt.value() == null ? Long.MAX_VALUE : firstEntryAt.value();
        for (FunnelEntry e : all) {
            first = Math.min(first, e.entryAt);
        }
        if (first != Long.MAX_VALUE) {
            firstEntryAt.update(first);
        }

        // The first end whose region counts differ from those judged before: episodes are re-run from there.
        long rerunFrom = Long.MAX_VALUE;
        for (long t = from; t <= to; t += settings.slideMs) {
            WindowEndLog l = logged.get(t);
            if (sweep.regionCounts(t) != (l == null ? 0 : l.regionCounts)) {
                rerunFrom = t;
                break;
            }
        }
        DropEpisode episode = null;
        if (rerunFrom != Long.MAX_VALUE) {
            // The newest judged end before it: in the log, or the one last dropped from it (the base).
            for (Map.Entry<Long, WindowEndLog> l = logged.lowerEntry(rerunFrom); l != null && episode == null
                    && l.getKey() > p.baseEnd; l = logged.lowerEntry(l.getKey())) {
                episode = l.getValue().episode == null ? null : l.getValue().episode.copy();
            }
            if (episode == null) {
                episode = p.base == null ? new DropEpisode() : p.base.copy();
            }
        }
        DropWatch watch = null;
        SequentialDropTest.Entries sorted = null;
        java.util.Map<Long, SequentialDropTest.Verdict> verdicts = new TreeMap<>();
        List<DropWatch> recovered = new ArrayList<>();
        if (settings.sequential && rerunFrom != Long.MAX_VALUE) {
            sorted = SequentialDropTest.Entries.of(all);
            DropWatch base = watchBase.value();
            for (Map.Entry<Long, WindowEndLog> l = logged.lowerEntry(rerunFrom); l != null && watch == null
                    && l.getKey() > (base == null ? p.baseEnd : Math.max(base.end, p.baseEnd));
                    l = logged.lowerEntry(l.getKey())) {
                DropWatch w = watches.get(l.getKey());
                watch = w != null ? w.copy() : l.getValue().episode == null ? null
                        : DropWatch.of(l.getValue().episode, settings.dropThreshold); // logged by an earlier version
            }
            if (watch == null) {
                watch = base != null ? base.copy() : DropWatch.of(episode, settings.dropThreshold);
            }
        }

        ReadOnlyBroadcastState<String, String> policyState = ctx.getBroadcastState(FunnelPolicies.STATE);
        EffectivePolicy regionPolicy = policies.resolve(policyState, key[0], key[1], null);
        Map<String, Double> teamThresholds = new TreeMap<>();
        long computedAt = p.computedAt(ctx.currentProcessingTime());
        List<Long> openings = new ArrayList<>();
        int corrected = 0;
        int sent = 0;
        for (long t = from; t <= to; t += settings.slideMs) {
            List<ConversionRow> rows = sweep.rows(key, t);
            WindowEndLog before = logged.get(t);
            WindowEndLog now = new WindowEndLog();
            now.regionCounts = sweep.regionCounts(t);
            now.computedAt = clock;
            ConversionRow region = Sweep.region(rows);
            if (t < rerunFrom) {
                now.episode = before == null ? null : before.episode;
            } else if (region != null && settings.sequential) {
                boolean warm = first <= t - settings.retentionMs();
                SequentialDropTest.Verdict[] verdict = new SequentialDropTest.Verdict[1];
                SequentialDropTest.Step step = sequentialTest.judge(watch, sorted, t, policies.dropThreshold(regionPolicy),
                        policies.minEntered(regionPolicy), warm, verdict);
                if (step == SequentialDropTest.Step.OPENED) {
                    openings.add(t);
                    verdicts.put(t, verdict[0]);
                } else if (step == SequentialDropTest.Step.RECOVERED) {
                    recovered.add(watch.copy());
                }
                watch.end = t;
                watches.put(t, watch.copy());
                now.episode = watch.episode();
            } else if (region != null) {
                boolean warm = first <= t - settings.retentionMs();
                if (judge(episode, region, warm, regionPolicy)) {
                    openings.add(t);
                }
                now.episode = episode.copy();
            }
            boolean regionOpen = now.episode != null && now.episode.open;
            List<String> teams = new ArrayList<>();
            List<Long> hashes = new ArrayList<>();
            for (ConversionRow r : rows) {
                if (r == region) {
                    r.flagged = regionOpen;
                } else {
                    // Teams are too small for their own alerts (docs/funnel.md): a team row is flagged while the region's
                    // episode is open and the team's own rate is down by more than the (team's) threshold.
                    double threshold = teamThresholds.computeIfAbsent(r.team,
                            team -> policies.dropThreshold(resolve(policyState, key, team)));
                    r.flagged = regionOpen && r.changePct != null && -r.changePct > threshold * 100;
                }
                long hash = hash(r);
                teams.add(r.team);
                hashes.add(hash);
                if (before == null || before.hashOf(r.team) != hash) {
                    r.computedAt = computedAt;
                    out.collect(r);
                    sent++;
                    if (last != null && t <= last) {
                        corrected++;
                    }
                }
            }
            for (int i = 0; before != null && i < before.teams.length; i++) {
                if (!teams.contains(before.teams[i]) && before.rowHashes[i] != EMPTY_ROW) {
                    ConversionRow empty = sweep.emptyRow(key, t, before.teams[i]); // its entries moved to other windows
                    empty.computedAt = computedAt;
                    out.collect(empty);
                    corrected++;
                }
                if (!teams.contains(before.teams[i])) {
                    teams.add(before.teams[i]);
                    hashes.add(EMPTY_ROW);
                }
            }
            now.teams = teams.toArray(new String[0]);
            now.rowHashes = hashes.stream().mapToLong(Long::longValue).toArray();
            if (now.teams.length == 0 && now.episode == null) {
                if (before != null) {
                    log.remove(t);
                    watches.remove(t);
                }
            } else {
                log.put(t, now);
            }
        }
        if (rerunFrom != Long.MAX_VALUE) {
            alertEpisodes(rerunFrom, openings, verdicts, all, sweep, key, clock, ctx);
            alertRecoveries(recovered, key, clock, ctx);
        }
        rowsCorrected.inc(corrected);
        long firstNew = last == null ? from : Math.max(from, last + settings.slideMs);
        if (corrected > 0) {
            LOG.info("Corrected {} stage_conversion row(s) of {}: window ends {} to {} recomputed{}", corrected,
                    describe(key), Instant.ofEpochMilli(from), Instant.ofEpochMilli(Math.min(to, last)),
                    rerunFrom <= last ? ", drop episodes re-run from " + Instant.ofEpochMilli(rerunFrom) : "");
        }
        if (to - firstNew >= ForecastDigest.DAY) {
            LOG.info("Computed {} window ends of {} at once ({} to {}, {} rows sent)",
                    (to - firstNew) / settings.slideMs + 1, describe(key), Instant.ofEpochMilli(firstNew),
                    Instant.ofEpochMilli(to), sent);
        }
    }

    /**
     * Compares the episodes the re-run opened (at or after {@code rerunFrom}) with the alerts sent: withdraws those
     * no longer opened, alerts those never alerted. An id is never sent twice, so an episode withdrawn and opened
     * again stays withdrawn.
     */
    private void alertEpisodes(long rerunFrom, List<Long> openings, Map<Long, SequentialDropTest.Verdict> verdicts,
            List<FunnelEntry> all, Sweep sweep, String[] key, long clock, OnTimerContext ctx) throws Exception {
        List<Long> withdrawn = new ArrayList<>();
        for (Map.Entry<Long, Integer> d : drops.entries()) {
            if (d.getKey() >= rerunFrom && d.getValue() != RETRACTED && !openings.contains(d.getKey())) {
                withdrawn.add(d.getKey());
            }
        }
        withdrawn.sort(Comparator.naturalOrder());
        for (long end : withdrawn) {
            DropFinding f = new DropFinding();
            f.tenant = key[0];
            f.region = key[1];
            f.team = ConversionRow.ALL_TEAMS;
            f.stage = key[2];
            f.windowEnd = end;
            f.windowStart = end - settings.windowMs;
            f.retraction = true;
            f.origin = drops.get(end) == ALERTED_HISTORY ? Alert.HISTORY : Alert.LIVE;
            drops.put(end, RETRACTED);
            dropsRetracted.inc();
            LOG.info("Drop episode of {} opened at {} is no longer there after corrections: its alert is withdrawn",
                    describe(key), Instant.ofEpochMilli(end));
            ctx.output(DROPS, RegionFact.of(f));
        }
        for (long end : openings) {
            if (drops.contains(end)) {
                continue;
            }
            ConversionRow region = Sweep.region(sweep.rows(key, end));
            Window w = Window.of(all, end, settings);
            DropFinding f = w.finding(region,
                    DropTest.pValue(region.advanced, region.entered, region.baselineAdvanced, region.baselineEntered),
                    settings);
            f.dropThreshold = policies.dropThreshold(policies.resolve(ctx.getBroadcastState(FunnelPolicies.STATE),
                    key[0], key[1], null));
            SequentialDropTest.Verdict v = verdicts.get(end);
            if (v != null) {
                f.sequential = true;
                f.evidence = v.score;
                f.evidenceThreshold = settings.dropEvidence;
                f.changeAt = v.since;
                f.changeEntered = v.entered;
                f.changeAdvanced = v.advanced;
                f.rate = v.rate;
                f.baselineRate = v.baselineRate;
            }
            boolean history = FunnelImports.aboutThePast(end, clock);
            f.origin = history ? Alert.HISTORY : Alert.LIVE;
            drops.put(end, history ? ALERTED_HISTORY : ALERTED_LIVE);
            ctx.output(DROPS, RegionFact.of(f));
        }
    }

    /**
     * One recovery message per alerted episode (id of its start): a re-run that moves the recovery does not send it
     * again, and an episode withdrawn or never alerted gets none.
     */
    private void alertRecoveries(List<DropWatch> recovered, String[] key, long clock, OnTimerContext ctx)
            throws Exception {
        for (DropWatch w : recovered) {
            Integer state = drops.get(w.startedAt);
            if (state == null || state == RETRACTED || recoveries.contains(w.startedAt)) {
                continue;
            }
            recoveries.put(w.startedAt, w.recoveredAt);
            DropFinding f = new DropFinding();
            f.tenant = key[0];
            f.region = key[1];
            f.team = ConversionRow.ALL_TEAMS;
            f.stage = key[2];
            f.windowEnd = w.startedAt;
            f.windowStart = w.startedAt - settings.windowMs;
            f.recovery = true;
            f.recoveredAt = w.recoveredAt;
            f.rate = w.recoveredRate;
            f.baselineRate = w.baselineAtStart;
            f.rateAtStart = w.rateAtStart;
            f.sequential = true;
            f.origin = FunnelImports.aboutThePast(w.recoveredAt, clock) ? Alert.HISTORY : Alert.LIVE;
            ctx.output(DROPS, RegionFact.of(f));
        }
    }

    /**
     * Moves the region's drop episode on by one judged window end (in place); true when an episode opens there.
     * The row must be the region row of that end.
     */
    private boolean judge(DropEpisode ep, ConversionRow r, boolean warm, EffectivePolicy policy) {
        double threshold = policies.dropThreshold(policy);
        double p = DropTest.pValue(r.advanced, r.entered, r.baselineAdvanced, r.baselineEntered);
        // Until the key has history for every baseline window, a baseline is partial (a new region, the start of
        // the data): no drop is judged then.
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
                return true;
            }
            return false;
        }
        boolean recovered = r.rate >= ep.baselineAtStart * (1 - threshold / 2);
        if (!recovered) {
            ep.recoveredSince = 0;
        } else if (ep.recoveredSince == 0) {
            ep.recoveredSince = r.windowEnd;
        }
        if (recovered && r.windowEnd - ep.recoveredSince >= settings.recoveryMs) {
            ep.open = false;
        }
        return false;
    }

    /**
     * Drops what no window end within the retention of {@code last} can use: entries whose last window (own or
     * baseline) ends at or before {@code last} - retention, log records of such ends, and the drop alerts of ends
     * that can no longer be recomputed. Not before a day after they arrived (were computed): an upload of history
     * without an import session, spread over hours, still finds every entry and record it needs.
     */
    private void trim(long last, long clock, List<FunnelEntry> all, WindowProgress p) throws Exception {
        long horizon = last - settings.retentionMs();
        long settled = clock - SETTLE;
        long lost = Long.MIN_VALUE; // the newest end that lost an entry or its record
        for (Iterator<FunnelEntry> it = all.iterator(); it.hasNext();) {
            FunnelEntry e = it.next();
            if (lastEnd(e) <= horizon && e.arrivedAt <= settled) {
                entries.remove(e.entryId);
                it.remove();
                lost = Math.max(lost, lastEnd(e));
            }
        }
        for (Iterator<Map.Entry<Long, WindowEndLog>> it = log.iterator(); it.hasNext();) {
            Map.Entry<Long, WindowEndLog> l = it.next();
            if (l.getKey() <= horizon && l.getValue().computedAt <= settled) {
                if (l.getValue().episode != null && l.getKey() > p.baseEnd) {
                    p.baseEnd = l.getKey();
                    p.base = l.getValue().episode;
                }
                DropWatch w = watches.get(l.getKey());
                if (w != null) {
                    DropWatch base = watchBase.value();
                    if (base == null || base.end < l.getKey()) {
                        watchBase.update(w);
                    }
                    watches.remove(l.getKey());
                }
                it.remove();
                lost = Math.max(lost, l.getKey());
            }
        }
        if (lost != Long.MIN_VALUE) {
            p.correctableFrom = Math.max(p.correctableFrom, lost + settings.slideMs);
        }
        for (Iterator<Long> it = drops.keys().iterator(); it.hasNext();) {
            long start = it.next();
            if (start < p.correctableFrom && !(watchBase.value() != null && watchBase.value().open
                    && watchBase.value().startedAt == start)) {
                it.remove(); // no re-run reaches it any more (an open episode's start is kept for its recovery)
            }
        }
        for (Iterator<Long> it = recoveries.keys().iterator(); it.hasNext();) {
            if (!drops.contains(it.next())) {
                it.remove();
            }
        }
    }

    /**
     * The first window end whose counts the change of an entry changes (its baselines come later): a card that
     * advances a customer today changes no window that ended before today. MAX_VALUE when none does.
     */
    private long firstChangedEnd(FunnelEntry before, FunnelEntry now) {
        if (before == null || now == null || before.entryAt != now.entryAt || !before.team.equals(now.team)) {
            long at = Math.min(before == null ? Long.MAX_VALUE : before.entryAt, now == null ? Long.MAX_VALUE : now.entryAt);
            return settings.firstEnd(at);
        }
        long advanced = Math.min(before.advancedAt, now.advancedAt);
        if (before.advancedAt == now.advancedAt || advanced == FunnelEntry.NOT_ADVANCED) {
            return Long.MAX_VALUE; // the rep only: it matters to the diagnosis, not to the counts
        }
        return Math.max(settings.firstEnd(now.entryAt), settings.firstEnd(advanced));
    }

    /** The first window end after {@code last} that has entries in its window; MAX_VALUE when none. */
    private long nextPending(List<FunnelEntry> all, Long last) {
        long next = Long.MAX_VALUE;
        for (FunnelEntry e : all) {
            long first = settings.firstEnd(e.entryAt);
            if (last == null) {
                next = Math.min(next, first);
            } else if (first + settings.windowMs - settings.slideMs > last) {
                next = Math.min(next, Math.max(first, last + settings.slideMs));
            }
        }
        return next;
    }

    /**
     * The last window end that anything kept refers to (MIN_VALUE when nothing is kept), and the newest arrival
     * (computation) time among the entries (records).
     */
    private long[] keptUntil(List<FunnelEntry> all) throws Exception {
        long keep = Long.MIN_VALUE;
        long arrived = Long.MIN_VALUE;
        for (FunnelEntry e : all) {
            keep = Math.max(keep, lastEnd(e));
            arrived = Math.max(arrived, e.arrivedAt);
        }
        for (Map.Entry<Long, WindowEndLog> l : log.entries()) {
            keep = Math.max(keep, l.getKey());
            arrived = Math.max(arrived, l.getValue().computedAt);
        }
        for (Long end : drops.keys()) {
            keep = Math.max(keep, end);
        }
        return new long[] {keep, arrived};
    }

    /** The last window end whose row or baseline counts the entry. */
    private long lastEnd(FunnelEntry e) {
        return settings.firstEnd(e.entryAt) + settings.retentionMs() - settings.slideMs;
    }

    /** When to wake for the pending work: at once for ends already decided, else when the first pending end is due. */
    private long wake(WindowProgress p, Long last, long clock) {
        return last != null && p.dirtyFrom <= last ? OneTimer.soon(clock) : p.dirtyFrom + settings.latenessMs;
    }

    /** The key's progress; a key of an earlier version (no log) can be corrected only after its last end. */
    private WindowProgress progress() throws Exception {
        WindowProgress p = progress.value();
        if (p != null) {
            return p;
        }
        p = new WindowProgress();
        Long last = lastWindowEnd.value();
        if (last != null) {
            p.correctableFrom = last + settings.slideMs;
            p.dirtyFrom = last + settings.slideMs;
            DropEpisode former = formerEpisodes.get(ConversionRow.ALL_TEAMS);
            if (former != null) {
                p.base = former;
                p.baseEnd = last;
                if (former.open) {
                    drops.put(former.startedAt, ALERTED_LIVE);
                }
            }
            formerEpisodes.clear();
        }
        return p;
    }

    private void clear() {
        entries.clear();
        lastWindowEnd.clear();
        firstEntryAt.clear();
        formerEpisodes.clear();
        progress.clear();
        log.clear();
        drops.clear();
        watches.clear();
        watchBase.clear();
        recoveries.clear();
    }

    private EffectivePolicy resolve(ReadOnlyBroadcastState<String, String> state, String[] key, String team) {
        try {
            return policies.resolve(state, key[0], key[1], team);
        } catch (Exception e) {
            throw new IllegalStateException("policies of " + describe(key) + " unreadable", e);
        }
    }

    /** Everything a row says, as sent. */
    static long hash(ConversionRow r) {
        long h = 1125899906842597L;
        for (long v : new long[] {r.team.hashCode(), r.entered, r.advanced, r.baselineEntered, r.baselineAdvanced,
                r.flagged ? 1 : 0}) {
            h = 31 * h + v;
        }
        return h == 0 || h == EMPTY_ROW ? 2 : h;
    }

    private static String tenantOf(String key) {
        return key.substring(0, key.indexOf('\u001f'));
    }

    private static String describe(String[] key) {
        return key[0] + "/" + key[1] + " " + key[2];
    }

    /**
     * The counts of a range of window ends, from the entries in one pass: each entry adds +1/-1 at the first and
     * after the last end it counts in (difference arrays per team), prefix sums give every end's counts. The range
     * reaches back the baseline weeks, so the baselines of the first end are in it too.
     */
    static final class Sweep {
        private final FunnelSettings settings;
        private final long gridStart;
        /** Baseline offset in slides; -1 when a week is no multiple of the slide (the SQL reference then has no baseline). */
        private final int week;
        private final Map<String, Integer> teamIndex = new TreeMap<>();
        /** Index of the region (team {@code *}). */
        private final int regionIndex;
        private final int[][] entered;
        private final int[][] advanced;

        Sweep(FunnelSettings settings, long from, long to, List<FunnelEntry> all) {
            this.settings = settings;
            this.week = FunnelSettings.WEEK % settings.slideMs == 0 ? (int) (FunnelSettings.WEEK / settings.slideMs) : -1;
            this.gridStart = week > 0 ? from - settings.baselineWeeks * FunnelSettings.WEEK : from;
            int n = (int) ((to - gridStart) / settings.slideMs) + 2;
            teamIndex.put(ConversionRow.ALL_TEAMS, 0);
            for (FunnelEntry e : all) {
                teamIndex.putIfAbsent(e.team, 0);
            }
            int i = 0;
            for (Map.Entry<String, Integer> t : teamIndex.entrySet()) {
                t.setValue(i++);
            }
            regionIndex = teamIndex.get(ConversionRow.ALL_TEAMS);
            entered = new int[teamIndex.size()][n];
            advanced = new int[teamIndex.size()][n];
            for (FunnelEntry e : all) {
                long first = settings.firstEnd(e.entryAt);
                long lastOwn = first + settings.windowMs - settings.slideMs;
                int team = teamIndex.get(e.team);
                add(entered, team, first, lastOwn, to);
                if (e.advancedAt != FunnelEntry.NOT_ADVANCED) {
                    add(advanced, team, Math.max(first, settings.firstEnd(e.advancedAt)), lastOwn, to);
                }
            }
            for (int[][] counts : List.of(entered, advanced)) {
                for (int[] row : counts) {
                    for (int j = 1; j < n; j++) {
                        row[j] += row[j - 1];
                    }
                }
            }
        }

        private void add(int[][] counts, int team, long from, long to, long gridEnd) {
            long lo = Math.max(from, gridStart);
            long hi = Math.min(to, gridEnd);
            if (lo > hi) {
                return;
            }
            int a = (int) ((lo - gridStart) / settings.slideMs);
            int b = (int) ((hi - gridStart) / settings.slideMs) + 1;
            for (int t : new int[] {team, regionIndex}) {
                counts[t][a]++;
                counts[t][b]--;
            }
        }

        private int index(long end) {
            return (int) ((end - gridStart) / settings.slideMs);
        }

        /** Hash of the region row's counts at {@code end} (what the episode logic judges); 0 without a region row. */
        long regionCounts(long end) {
            int i = index(end);
            if (entered[regionIndex][i] == 0) {
                return 0;
            }
            long h = 17;
            for (long v : new long[] {entered[regionIndex][i], advanced[regionIndex][i], baseline(entered[regionIndex], i),
                    baseline(advanced[regionIndex], i)}) {
                h = 31 * h + v;
            }
            return h == 0 ? 1 : h;
        }

        private long baseline(int[] counts, int i) {
            long sum = 0;
            for (int k = 1; week > 0 && k <= settings.baselineWeeks; k++) {
                sum += counts[i - k * week];
            }
            return sum;
        }

        /** The region's row among the rows of one end; null when there is none. */
        static ConversionRow region(List<ConversionRow> rows) {
            return rows.stream().filter(r -> r.team.equals(ConversionRow.ALL_TEAMS)).findFirst().orElse(null);
        }

        /** The rows of window end {@code end}: one per team with entries and the region's ({@code *}). */
        List<ConversionRow> rows(String[] key, long end) {
            int i = index(end);
            List<ConversionRow> rows = new ArrayList<>();
            for (Map.Entry<String, Integer> t : teamIndex.entrySet()) {
                int team = t.getValue();
                if (entered[team][i] == 0) {
                    continue;
                }
                ConversionRow r = row(key, end, t.getKey());
                r.entered = entered[team][i];
                r.advanced = advanced[team][i];
                r.rate = (double) r.advanced / r.entered;
                r.baselineEntered = baseline(entered[team], i);
                r.baselineAdvanced = baseline(advanced[team], i);
                if (r.baselineEntered > 0) {
                    r.baselineRate = (double) r.baselineAdvanced / r.baselineEntered;
                    r.changePct = r.baselineRate == 0 ? null : (r.rate - r.baselineRate) / r.baselineRate * 100.0;
                }
                rows.add(r);
            }
            return rows;
        }

        /** The row of a team whose entries all left the window: entered 0, nothing flagged. */
        ConversionRow emptyRow(String[] key, long end, String team) {
            return row(key, end, team);
        }

        private ConversionRow row(String[] key, long end, String team) {
            ConversionRow r = new ConversionRow();
            r.tenant = key[0];
            r.region = key[1];
            r.fromStage = key[2];
            r.team = team;
            r.windowStart = end - settings.windowMs;
            r.windowEnd = end;
            return r;
        }
    }

    /** Counts of one window end, per team and rep, current and baseline: the diagnosis of a drop. */
    static final class Window {
        final Map<String, Counts> currentByTeam = new TreeMap<>();
        final Map<String, Counts> baselineByTeam = new TreeMap<>();
        final Map<String, Counts> currentByRep = new TreeMap<>();
        final Map<String, Counts> baselineByRep = new TreeMap<>();
        final Map<String, String> teamOfRep = new TreeMap<>();

        /** Counts of the window ending {@code end} and its baselines, by a scan of the entries. */
        static Window of(List<FunnelEntry> all, long end, FunnelSettings settings) {
            Window w = new Window();
            for (FunnelEntry e : all) {
                if (e.entryAt >= end - settings.windowMs && e.entryAt < end) {
                    w.current(e.team, e.rep).add(e.advancedAt < end);
                }
                for (int k = 1; k <= settings.baselineWeeks; k++) {
                    long bEnd = end - k * FunnelSettings.WEEK;
                    if (e.entryAt >= bEnd - settings.windowMs && e.entryAt < bEnd) {
                        w.baseline(e.team, e.rep).add(e.advancedAt < bEnd);
                    }
                }
            }
            return w;
        }

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
