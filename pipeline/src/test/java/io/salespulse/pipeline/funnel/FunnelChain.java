package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.ImportSession;
import io.salespulse.contract.StageEvent;
import io.salespulse.pipeline.policy.PolicyUpdate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;

/**
 * The funnel job's four keyed functions wired by hand with operator test harnesses (one key group, so every
 * key lives in one harness): cards in, each function's output fed to the next as the job's keyBy would, and the
 * arrival clock (watermarks) pushed through in order. Control records (policies, import sessions) go to every
 * operator the job broadcasts them to. What comes out is collected per kind.
 */
final class FunnelChain implements AutoCloseable {
    final KeyedTwoInputStreamOperatorTestHarness<String, StageEvent, PolicyUpdate, FunnelEntry> customers;
    final KeyedTwoInputStreamOperatorTestHarness<String, FunnelEntry, PolicyUpdate, ConversionRow> windows;
    final KeyedTwoInputStreamOperatorTestHarness<String, RegionFact, PolicyUpdate, Alert> regions;
    final KeyedTwoInputStreamOperatorTestHarness<String, CustomerHistory, PolicyUpdate, Alert> digests;
    final TwoInputStreamOperatorTestHarness<Alert, PolicyUpdate, Alert> alertPolicy;

    final List<FunnelEntry> entries = new ArrayList<>();
    /** Every row sent, corrections included, in the order sent. */
    final List<ConversionRow> rows = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<DigestRow> digestRows = new ArrayList<>();
    private long watermark = Long.MIN_VALUE;
    private long controlOffset;

    FunnelChain(FunnelSettings settings) throws Exception {
        this(settings, null, null);
    }

    /** With the policy-holding operators restored from {@link #snapshotPolicyOperators()} of another chain. */
    FunnelChain(FunnelSettings settings, OperatorSubtaskState windowsState, OperatorSubtaskState alertPolicyState)
            throws Exception {
        this(settings, windowsState, alertPolicyState, null);
    }

    /** With every operator restored from {@link #snapshotAll()} of another chain (an upgrade, a restart). */
    FunnelChain(FunnelSettings settings, OperatorSubtaskState[] all) throws Exception {
        this(settings, null, null, all);
    }

    private FunnelChain(FunnelSettings settings, OperatorSubtaskState windowsState, OperatorSubtaskState alertPolicyState,
            OperatorSubtaskState[] restoreAll) throws Exception {
        customers = new KeyedTwoInputStreamOperatorTestHarness<>(new CardClockBroadcastOperator<>(new CustomerFunnel(settings)),
                c -> CustomerFunnel.key(c.tenant, c.customerId), (PolicyUpdate u) -> "", Types.STRING);
        windows = new KeyedTwoInputStreamOperatorTestHarness<>(new CardClockBroadcastOperator<>(new ConversionWindow(settings)),
                e -> ConversionWindow.key(e.tenant, e.region, e.stage), (PolicyUpdate u) -> "", Types.STRING);
        regions = new KeyedTwoInputStreamOperatorTestHarness<>(new CardClockBroadcastOperator<>(new RegionCoach(settings)),
                f -> RegionCoach.key(f.tenant(), f.region()), (PolicyUpdate u) -> "", Types.STRING);
        digests = new KeyedTwoInputStreamOperatorTestHarness<>(new CardClockBroadcastOperator<>(new ForecastDigest(settings)),
                h -> ForecastDigest.key(h.tenant, h.team), (PolicyUpdate u) -> "", Types.STRING);
        alertPolicy = new TwoInputStreamOperatorTestHarness<>(new CoBroadcastWithNonKeyedOperator<>(
                new FunnelAlertPolicy(settings), List.<MapStateDescriptor<?, ?>>of(FunnelPolicies.STATE)));
        for (AbstractStreamOperatorTestHarness<?> h : harnesses()) {
            ((SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        }
        if (windowsState != null) {
            windows.initializeState(windowsState);
            alertPolicy.initializeState(alertPolicyState);
        }
        if (restoreAll != null) {
            List<AbstractStreamOperatorTestHarness<?>> all = harnesses();
            for (int i = 0; i < all.size(); i++) {
                all.get(i).initializeState(restoreAll[i]);
            }
        }
        for (AbstractStreamOperatorTestHarness<?> h : harnesses()) {
            h.open();
        }
    }

    private List<AbstractStreamOperatorTestHarness<?>> harnesses() {
        return List.of(customers, windows, regions, digests, alertPolicy);
    }

    /** Checkpoints of every operator, in the order {@link #FunnelChain(FunnelSettings, OperatorSubtaskState[])} takes. */
    OperatorSubtaskState[] snapshotAll() throws Exception {
        List<AbstractStreamOperatorTestHarness<?>> all = harnesses();
        OperatorSubtaskState[] out = new OperatorSubtaskState[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i).snapshot(1, 1);
        }
        return out;
    }

    /** Checkpoints of the two operators that hold policies (windows, alert filter), in that order. */
    OperatorSubtaskState[] snapshotPolicyOperators() throws Exception {
        return new OperatorSubtaskState[] {windows.snapshot(1, 1), alertPolicy.snapshot(1, 1)};
    }

    /** A card arriving now: at its own time, or just after the clock when that has passed it (a late card). */
    void card(StageEvent card) throws Exception {
        card(card, Math.max(card.occurredAt, watermark + 1));
    }

    void card(StageEvent card, long arrival) throws Exception {
        customers.processElement1(new StreamRecord<>(card, arrival));
        drain();
    }

    /** Publishes a policy record ({@code json} null: a tombstone) to the operators the job broadcasts it to. */
    void policy(String scope, String json) throws Exception {
        control(scope, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "sales.policies", 0);
    }

    /** Publishes a record of {@code sales.imports}: the import session of tenant weijiang, as of {@code publishedAt}. */
    void importSession(String importId, ImportSession.Status status, long publishedAt, long expiresAt) throws Exception {
        control("weijiang/" + importId, new ImportSession("weijiang", importId, status, expiresAt, 0, 0, 0, "test", 0)
                .toJson(), "sales.imports", publishedAt);
    }

    private void control(String scope, byte[] value, String topic, long publishedAt) throws Exception {
        PolicyUpdate u = new PolicyUpdate();
        u.scope = scope;
        u.value = value;
        u.topic = topic;
        u.offset = controlOffset++;
        u.publishedAt = publishedAt;
        customers.processElement2(new StreamRecord<>(u));
        windows.processElement2(new StreamRecord<>(u));
        regions.processElement2(new StreamRecord<>(u));
        digests.processElement2(new StreamRecord<>(u));
        alertPolicy.processElement2(new StreamRecord<>(u));
        drain();
    }

    /** Moves the arrival clock to {@code t} in every function, upstream first. */
    void watermark(long t) throws Exception {
        if (t <= watermark) {
            return;
        }
        watermark = t;
        customers.processWatermark1(new Watermark(t));
        drain();
        windows.processWatermark1(new Watermark(t));
        drain();
        regions.processWatermark1(new Watermark(t));
        digests.processWatermark1(new Watermark(t));
        drain();
    }

    long clock() {
        return watermark;
    }

    List<Alert> alerts(String type) {
        return alerts.stream().filter(a -> a.type.equals(type)).toList();
    }

    /** Rows sent for a team and stage, corrections included, in the order sent. */
    List<ConversionRow> rows(String team, String stage) {
        return rows.stream().filter(r -> r.team.equals(team) && r.fromStage.equals(stage)).toList();
    }

    /** The rows as a reader of the table sees them: the last one sent per key, without rows emptied (entered 0). */
    List<ConversionRow> finalRows() {
        Map<String, ConversionRow> latest = new LinkedHashMap<>();
        for (ConversionRow r : rows) {
            latest.put(r.tenant + " " + r.region + " " + r.team + " " + r.fromStage + " " + r.windowEnd, r);
        }
        return latest.values().stream().filter(r -> r.entered > 0)
                .sorted(java.util.Comparator.comparing((ConversionRow r) -> r.region).thenComparing(r -> r.team)
                        .thenComparing(r -> r.fromStage).thenComparingLong(r -> r.windowEnd))
                .toList();
    }

    /** The forecast rows as a reader sees them: the last sent per (team, date, stage). */
    List<DigestRow> finalDigestRows() {
        Map<String, DigestRow> latest = new LinkedHashMap<>();
        for (DigestRow r : digestRows) {
            latest.put(r.team + " " + r.digestAt + " " + r.stage, r);
        }
        return new ArrayList<>(latest.values());
    }

    /** Keyed state entries and timers left in the four keyed functions. */
    int stateLeft() {
        int n = 0;
        for (KeyedTwoInputStreamOperatorTestHarness<?, ?, ?, ?> h : List.of(customers, windows, regions, digests)) {
            n += h.numKeyedStateEntries() + h.numEventTimeTimers();
        }
        return n;
    }

    private void drain() throws Exception {
        boolean moved = true;
        while (moved) {
            moved = false;
            List<StreamRecord<FunnelEntry>> newEntries = records(customers.getOutput());
            customers.getOutput().clear();
            for (StreamRecord<RegionFact> o : drainSide(customers.getSideOutput(CustomerFunnel.OBJECTIONS))) {
                regions.processElement1(o);
            }
            for (StreamRecord<CustomerHistory> h : drainSide(customers.getSideOutput(CustomerFunnel.HISTORIES))) {
                digests.processElement1(h);
            }
            for (StreamRecord<Alert> a : drainSide(customers.getSideOutput(CustomerFunnel.COACHING))) {
                alertPolicy.processElement1(new StreamRecord<>(a.getValue()));
            }
            for (StreamRecord<FunnelEntry> e : newEntries) {
                entries.add(e.getValue());
                windows.processElement1(e);
                moved = true;
            }
            rows.addAll(windows.extractOutputValues());
            windows.getOutput().clear();
            for (StreamRecord<RegionFact> f : drainSide(windows.getSideOutput(ConversionWindow.DROPS))) {
                regions.processElement1(f);
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

    @SuppressWarnings("unchecked")
    private static <T> List<StreamRecord<T>> records(java.util.Collection<Object> output) {
        List<StreamRecord<T>> out = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof StreamRecord<?> r) {
                out.add((StreamRecord<T>) r);
            }
        }
        return out;
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
        for (AbstractStreamOperatorTestHarness<?> h : harnesses()) {
            h.close();
        }
    }
}
