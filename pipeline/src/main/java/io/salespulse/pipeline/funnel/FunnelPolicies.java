package io.salespulse.pipeline.funnel;

import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.contract.policy.PolicyBook;
import io.salespulse.contract.policy.PolicyParser;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.io.Serializable;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run-time policies of {@code sales.policies} as one funnel operator sees them: the accepted documents in
 * broadcast state (scope -> JSON, checkpointed, the same on every subtask) and, parsed, in a {@link PolicyBook}
 * rebuilt from that state on first use after a start or restore. Invalid or stale documents are ignored (DEBUG
 * log): the monitor job validates the same topic with the same parser and dead-letters them.
 *
 * <p>What the funnel takes from a policy: {@code funnel_drop.threshold_pct} and {@code funnel_drop.min_volume}
 * (the job settings are the defaults) and {@code alert_types.funnel_drop} / {@code alert_types.coaching}.
 */
final class FunnelPolicies implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FunnelPolicies.class);

    /** Same name and types as the monitor job's: scope -> accepted policy document. */
    static final MapStateDescriptor<String, String> STATE =
            new MapStateDescriptor<>("policies", Types.STRING, Types.STRING);

    private final FunnelSettings settings;
    private transient PolicyBook book;

    FunnelPolicies(FunnelSettings settings) {
        this.settings = settings;
    }

    /** Applies one record of the topic to the book and the broadcast state. */
    void update(PolicyUpdate u, BroadcastState<String, String> state) throws Exception {
        PolicyBook b = book(state.immutableEntries());
        try {
            if (!b.apply(u.scope, u.value)) {
                return;
            }
        } catch (InvalidEventException invalid) {
            LOG.debug("Ignoring policy record {} (the monitor job dead-letters it): {}", u, invalid.getMessage());
            return;
        }
        if (b.get(u.scope) == null) {
            state.remove(u.scope);
        } else {
            state.put(u.scope, b.get(u.scope).json());
        }
        LOG.info("Funnel policy of scope {} {}", u.scope, b.get(u.scope) == null ? "removed"
                : "set (version " + b.get(u.scope).version() + ")");
    }

    /** The policy for (tenant, region[, team]); {@code team} null for a region-level decision. */
    EffectivePolicy resolve(ReadOnlyBroadcastState<String, String> state, String tenant, String region, String team)
            throws Exception {
        return book(state.immutableEntries()).resolve(settings.sla, tenant, region, team);
    }

    /** The relative drop threshold as a fraction (0.15 = 15%). */
    double dropThreshold(EffectivePolicy p) {
        return p.funnelDropThresholdPct() == null ? settings.dropThreshold : p.funnelDropThresholdPct() / 100.0;
    }

    int minEntered(EffectivePolicy p) {
        return p.funnelMinVolume() == null ? settings.minEntered : p.funnelMinVolume();
    }

    private PolicyBook book(Iterable<Map.Entry<String, String>> state) {
        if (book == null) {
            book = new PolicyBook(new PolicyParser(Duration.ofMillis(settings.stateTtlMs), settings.zone()));
            for (Map.Entry<String, String> e : state) {
                try {
                    book.restore(e.getKey(), e.getValue());
                } catch (InvalidEventException invalid) {
                    // Only if a newer parser is stricter than the one that accepted it: the scope falls back to its parents.
                    LOG.error("Restored policy of scope {} no longer validates ({}); ignoring it", e.getKey(),
                            invalid.getMessage());
                }
            }
        }
        return book;
    }
}
