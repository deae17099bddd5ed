package io.salespulse.pipeline.funnel;

import io.salespulse.pipeline.imports.ImportGate;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;

/**
 * History imports as the funnel's keyed operators see them (see {@link ImportGate}): a key of a tenant with an
 * import in progress, or a key that saw records of an import not yet read completely, decides nothing; it polls
 * every {@link #POLL} of arrival time and then decides everything that waited at once. Records of the control
 * stream that come from the imports topic go here, the others are policies ({@link FunnelPolicies}).
 */
final class FunnelImports implements Serializable {
    private static final long serialVersionUID = 1L;
    /** How often a held key checks whether its imports have released (arrival time). */
    static final long POLL = 30_000L;

    private final String topic;
    private final ImportGate gate;

    FunnelImports(FunnelSettings settings) {
        this.topic = settings.importsTopic;
        this.gate = new ImportGate(Duration.ofMillis(settings.outOfOrdernessMs),
                Duration.ofMillis(settings.unannouncedImportTimeoutMs));
    }

    /**
     * Applies a control record when it comes from the imports topic (forgetting sessions released long ago); false
     * for a policy record, which the caller handles.
     */
    boolean apply(PolicyUpdate u, KeyedBroadcastProcessFunction<?, ?, ?, ?>.Context ctx) throws Exception {
        if (!topic.equals(u.topic)) {
            return false;
        }
        gate.update(u, ctx.getBroadcastState(ImportGate.STATE));
        if (ctx.currentWatermark() > Long.MIN_VALUE) {
            gate.expire(ctx.currentWatermark(), ctx.getBroadcastState(ImportGate.STATE));
        }
        return true;
    }

    /**
     * Adds the import of the record being processed (it arrived at its timestamp) to the key's holds, unless it
     * is a live record or its import has released already.
     */
    void hold(ImportHolds holds, String tenant, String importId,
            KeyedBroadcastProcessFunction<?, ?, ?, ?>.ReadOnlyContext ctx) throws Exception {
        long clock = ctx.currentWatermark();
        long seenAt = ImportGate.seenAt(ctx.timestamp() == null ? clock : ctx.timestamp(), clock);
        if (importId == null || holds.contains(importId)
                || gate.releaseAt(tenant, importId, seenAt, sessions(ctx)) <= clock) {
            return;
        }
        holds.add(importId, seenAt);
    }

    /**
     * The key's timer fired: true when the key may decide now (see {@link #mayDecide}); else it polls again in
     * {@link #POLL}. Either way the key has one timer (or none) afterwards.
     */
    boolean fired(KeyProgress p, long timestamp, KeyedBroadcastProcessFunction<?, ?, ?, ?>.OnTimerContext ctx)
            throws Exception {
        TimerService timers = ctx.timerService();
        p.timerAt = OneTimer.fired(p.timerAt, timestamp, timers);
        String key = ctx.getCurrentKey().toString();
        if (mayDecide(key.substring(0, key.indexOf('\u001f')), p.holds, timers.currentWatermark(), sessions(ctx))) {
            return true;
        }
        p.timerAt = OneTimer.move(p.timerAt, timers.currentWatermark() + POLL, timers);
        return false;
    }

    static Iterable<Map.Entry<String, String>> sessions(KeyedBroadcastProcessFunction<?, ?, ?, ?>.ReadOnlyContext ctx)
            throws Exception {
        return ctx.getBroadcastState(ImportGate.STATE).immutableEntries();
    }

    /**
     * Whether the key may decide at arrival time {@code clock}: its holds have all released (they are removed) and
     * the tenant has no import in progress.
     */
    boolean mayDecide(String tenant, ImportHolds holds, long clock, Iterable<Map.Entry<String, String>> state)
            throws Exception {
        release(tenant, holds, clock, state);
        return holds.isEmpty() && !gate.tenantImporting(tenant, clock, state);
    }

    /** Removes the holds whose import has released by {@code clock}; true when one was removed. */
    boolean release(String tenant, ImportHolds holds, long clock, Iterable<Map.Entry<String, String>> state)
            throws Exception {
        boolean released = false;
        for (int i = holds.ids.length - 1; i >= 0; i--) {
            if (gate.releaseAt(tenant, holds.ids[i], holds.firstSeen[i], state) <= clock) {
                holds.remove(i);
                released = true;
            }
        }
        return released;
    }

    /** Whether an import of the tenant released within the day before {@code clock} (its results may still be on their way). */
    boolean releasedRecently(String tenant, long clock, Iterable<Map.Entry<String, String>> state) throws Exception {
        for (String key : gate.releasedBetween(clock - ForecastDigest.DAY, clock, state).keySet()) {
            if (key.startsWith(tenant + "/")) {
                return true;
            }
        }
        return false;
    }

    /** An alert decided now about moment {@code at} is about the past when that lies more than a day back. */
    static boolean aboutThePast(long at, long clock) {
        return at < clock - ImportGate.LIVE_WINDOW;
    }
}
