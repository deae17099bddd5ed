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
 * <p>Input 2 (broadcast): the control stream ({@code sales.policies}; records of {@code sales.imports} are
 * skipped). A retraction follows the policy of the alert it withdraws. Its output goes to the sinks only.
 */
final class FunnelAlertPolicy extends BroadcastProcessFunction<Alert, PolicyUpdate, Alert> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FunnelAlertPolicy.class);

    private final FunnelPolicies policies;
    private final String importsTopic;
    private transient Counter suppressed;

    FunnelAlertPolicy(FunnelSettings settings) {
        this.policies = new FunnelPolicies(settings);
        this.importsTopic = settings.importsTopic;
    }

    @Override
    public void open(OpenContext openContext) {
        suppressed = getRuntimeContext().getMetricGroup().addGroup("salespulse").counter("funnelAlertsSuppressed");
    }

    @Override
    public void processElement(Alert a, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        // A retraction follows the policy of the alert it withdraws (its id starts with the type).
        String type = Alert.RETRACTION.equals(a.type) && a.retracts != null && a.retracts.contains(":")
                ? a.retracts.substring(0, a.retracts.indexOf(':')) : a.type;
        if (type.equals("funnel_recovery")) {
            type = "funnel_drop"; // the end of an episode follows the switch of its alert
        }
        boolean regionLevel = type.equals("funnel_drop");
        if (regionLevel || type.equals("coaching")) {
            EffectivePolicy p = policies.resolve(ctx.getBroadcastState(FunnelPolicies.STATE), a.tenant, a.region,
                    regionLevel || a.team == null || a.team.isEmpty() ? null : a.team);
            if (!p.alertEnabled(type)) {
                suppressed.inc();
                LOG.debug("Alert {} not sent: type {} is switched off by policy", a.alertId, type);
                return;
            }
        }
        out.collect(a);
    }

    @Override
    public void processBroadcastElement(PolicyUpdate u, Context ctx, Collector<Alert> out) throws Exception {
        if (!importsTopic.equals(u.topic)) { // import sessions are not policies; this step needs none of them
            policies.update(u, ctx.getBroadcastState(FunnelPolicies.STATE));
        }
    }
}
