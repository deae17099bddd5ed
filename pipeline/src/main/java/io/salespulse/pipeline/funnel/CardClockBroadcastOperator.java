package io.salespulse.pipeline.funnel;

import io.salespulse.pipeline.imports.ImportGate;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * A keyed broadcast operator whose clock (arrival time) comes from the keyed input only. The broadcast input is
 * the control stream ({@code sales.policies} and {@code sales.imports}), which carries no time of its own and
 * emits no watermarks: the standard operator would take the minimum of both inputs and never fire a timer. Its
 * broadcast state: the accepted policies ({@link FunnelPolicies#STATE}) and the import sessions
 * ({@link ImportGate#STATE}). Same timer service name ({@code user-timers}) and keyed state as the one-input
 * operators it replaced, so a savepoint taken before the control stream was wired keeps its state and timers (the
 * monitor's {@code OverdueDetector} treats its control input the same way).
 */
final class CardClockBroadcastOperator<K, IN1, IN2, OUT> extends CoBroadcastWithKeyedOperator<K, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    CardClockBroadcastOperator(KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> function) {
        super(function, List.<MapStateDescriptor<?, ?>>of(FunnelPolicies.STATE, ImportGate.STATE));
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // Control records carry no time of their own; they must not hold the cards' clock back.
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus watermarkStatus, int index) throws Exception {
        if (index == 0) {
            processWatermarkStatus(watermarkStatus);
        }
    }
}
