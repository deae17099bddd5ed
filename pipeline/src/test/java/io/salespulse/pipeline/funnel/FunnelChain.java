package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;

/**
 * The funnel job's four keyed functions wired by hand with operator test harnesses (one key group, so every
 * key lives in one harness): cards in, each function's output fed to the next as the job's keyBy would, and
 * watermarks pushed through in order. Policy records go to the two operators the job broadcasts them to (the
 * conversion windows and the alert filter every alert passes). What comes out is collected per kind.
 */
final class FunnelChain implements AutoCloseable {
    final KeyedOneInputStreamOperatorTestHarness<String, StageEvent, FunnelEntry> customers;
    final KeyedTwoInputStreamOperatorTestHarness<String, FunnelEntry, PolicyUpdate, ConversionRow> windows;
    final KeyedTwoInputStreamOperatorTestHarness<String, DropFinding, ObjectionFact, Alert> regions;
    final KeyedOneInputStreamOperatorTestHarness<String, CustomerSnapshot, Alert> digests;
    final TwoInputStreamOperatorTestHarness<Alert, PolicyUpdate, Alert> alertPolicy;

    final List<FunnelEntry> entries = new ArrayList<>();
    final List<ConversionRow> rows = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<DigestRow> digestRows = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private long policyOffset;

    FunnelChain(FunnelSettings settings) throws Exception {
        this(settings, null, null);
    }

    /** With the policy-holding operators restored from {@link #snapshotPolicyOperators()} of another chain. */
    FunnelChain(FunnelSettings settings, OperatorSubtaskState windowsState, OperatorSubtaskState alertPolicyState)
            throws Exception {
        customers = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new CustomerFunnel(settings)),
                c -> CustomerFunnel.key(c.tenant, c.customerId), Types.STRING);
        windows = new KeyedTwoInputStreamOperatorTestHarness<>(new CardClockBroadcastOperator<>(new ConversionWindow(settings)),
                e -> ConversionWindow.key(e.tenant, e.region, e.stage), (PolicyUpdate u) -> "", Types.STRING);
        regions = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(new RegionCoach(settings)),
                f -> RegionCoach.key(f.tenant, f.region), o -> RegionCoach.key(o.tenant, o.region), Types.STRING);
        digests = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ForecastDigest(settings)),
                s -> ForecastDigest.key(s.tenant, s.team), Types.STRING);
        alertPolicy = new TwoInputStreamOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(
                new FunnelAlertPolicy(settings), List.<MapStateDescriptor<?, ?>>of(FunnelPolicies.STATE)));
        for (AbstractStreamOperatorTestHarness<?> h : List.of(customers, windows, regions, digests, alertPolicy)) {
            ((SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        }
        if (windowsState != null) {
            windows.initializeState(windowsState);
            alertPolicy.initializeState(alertPolicyState);
        }
        for (AbstractStreamOperatorTestHarness<?> h : List.of(customers, windows, regions, digests, alertPolicy)) {
            h.open();
        }
    }

    /** Checkpoints of the two operators that hold policies (windows, alert filter), in that order. */
    OperatorSubtaskState[] snapshotPolicyOperators() throws Exception {
        return new OperatorSubtaskState[] {windows.snapshot(1, 1), alertPolicy.snapshot(1, 1)};
    }

    void card(StageEvent card) throws Exception {
        customers.processElement(new StreamRecord<>(card, card.occurredAt));
        drain();
    }

    /** Publishes a policy record ({@code json} null: a tombstone) to the operators the job broadcasts it to. */
    void policy(String scope, String json) throws Exception {
        PolicyUpdate u = new PolicyUpdate();
        u.scope = scope;
        u.value = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        u.topic = "sales.policies";
        u.offset = policyOffset++;
        windows.processElement2(new StreamRecord<>(u));
        alertPolicy.processElement2(new StreamRecord<>(u));
    }

    /** Moves event time to {@code t} in every function, upstream first. */
    void watermark(long t) throws Exception {
        if (t <= watermark) {
            return;
        }
        watermark = t;
        customers.processWatermark(new Watermark(t));
        drain();
        windows.processWatermark1(new Watermark(t));
        drain();
        regions.processBothWatermarks(new Watermark(t));
        digests.processWatermark(new Watermark(t));
        drain();
    }

    List<Alert> alerts(String type) {
        return alerts.stream().filter(a -> a.type.equals(type)).toList();
    }

    List<ConversionRow> rows(String team, String stage) {
        return rows.stream().filter(r -> r.team.equals(team) && r.fromStage.equals(stage)).toList();
    }

    private void drain() throws Exception {
        boolean moved = true;
        while (moved) {
            moved = false;
            List<FunnelEntry> newEntries = values(customers.extractOutputValues());
            customers.getOutput().clear();
            for (StreamRecord<ObjectionFact> o : drainSide(customers.getSideOutput(CustomerFunnel.OBJECTIONS))) {
                regions.processElement2(new StreamRecord<>(o.getValue(), o.getValue().at));
            }
            for (StreamRecord<CustomerSnapshot> s : drainSide(customers.getSideOutput(CustomerFunnel.SNAPSHOTS))) {
                digests.processElement(new StreamRecord<>(s.getValue(), s.getValue().at));
            }
            for (StreamRecord<Alert> a : drainSide(customers.getSideOutput(CustomerFunnel.COACHING))) {
                alertPolicy.processElement1(new StreamRecord<>(a.getValue()));
            }
            for (FunnelEntry e : newEntries) {
                entries.add(e);
                windows.processElement1(new StreamRecord<>(e, e.entryAt));
                moved = true;
            }
            rows.addAll(windows.extractOutputValues());
            windows.getOutput().clear();
            for (StreamRecord<DropFinding> f : drainSide(windows.getSideOutput(ConversionWindow.DROPS))) {
                regions.processElement1(new StreamRecord<>(f.getValue(), f.getValue().windowEnd));
            }
            for (Alert a : regions.extractOutputValues()) {
                alertPolicy.processElement1(new StreamRecord<>(a));
            }
            regions.getOutput().clear();
            for (Alert a : digests.extractOutputValues()) {
                alertPolicy.processElement1(new StreamRecord<>(a));
            }
            digests.getOutput().clear();
            alerts.addAll(alertPolicy.extractOutputValues());
            alertPolicy.getOutput().clear();
            for (StreamRecord<DigestRow> r : drainSide(digests.getSideOutput(ForecastDigest.ROWS))) {
                digestRows.add(r.getValue());
            }
        }
    }

    private static <T> List<T> values(List<T> list) {
        return new ArrayList<>(list);
    }

    private static <T> List<StreamRecord<T>> drainSide(java.util.concurrent.ConcurrentLinkedQueue<StreamRecord<T>> q) {
        List<StreamRecord<T>> out = new ArrayList<>();
        if (q != null) {
            StreamRecord<T> r;
            while ((r = q.poll()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        customers.close();
        windows.close();
        regions.close();
        digests.close();
        alertPolicy.close();
    }
}
