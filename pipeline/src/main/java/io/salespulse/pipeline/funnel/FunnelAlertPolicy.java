package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.policy.EffectivePolicy;
import io.salespulse.pipeline.policy.PolicyUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step before the sinks: drops {@code funnel_drop} and {@code coaching} alerts whose type a run-time
 * policy switched off for the alert's scope ({@code alert_types.funnel_drop} / {@code alert_types.coaching}).
 * A drop episode is a region's, so its alert follows the tenant and region policies (a team policy does not
 * silence a region's drop); a coaching alert follows its team's. The decisions upstream are unchanged: a drop
 * episode still opens and flags its rows, so switching the type back on mid-episode does not raise the old
 * episode's alert late. Digests are not a policy alert type and always pass.
 *
 * <p>Input 2 (broadcast): {@code sales.policies}. Emits no event time of its own; its output goes to the sinks
 * only.
 */
final class FunnelAlertPolicy extends BroadcastProcessFunction<Alert, PolicyUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FunnelAlertPolicy.class);

    private final FunnelPolicies policies;
    private transient Counter suppressed;

    FunnelAlertPolicy(FunnelSettings settings) {
        this.policies = new FunnelPolicies(settings);
    }

    @Override
    public void open(OpenContext openContext) {
        suppressed = getRuntimeContext().getMetricGroup().addGroup("salespulse").counter("funnelAlertsSuppressed");
    }

    @Override
    public void processElement(Alert a, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        boolean regionLevel = a.type.equals("funnel_drop");
        if (regionLevel || a.type.equals("coaching")) {
            EffectivePolicy p = policies.resolve(ctx.getBroadcastState(FunnelPolicies.STATE), a.tenant, a.region,
                    regionLevel || a.team == null || a.team.isEmpty() ? null : a.team);
            if (!p.alertEnabled(a.type)) {
                suppressed.inc();
                LOG.debug("Alert {} not sent: type {} is switched off by policy", a.alertId, a.type);
                return;
            }
        }
        out.collect(a);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        policies.update(u, ctx.getBroadcastState(FunnelPolicies.STATE));
    }
}
