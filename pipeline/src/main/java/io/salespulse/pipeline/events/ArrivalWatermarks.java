package io.salespulse.pipeline.events;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The jobs' clock is <em>arrival time</em>: when a record reached the system, which is its Kafka record
 * timestamp (the gateway stamps the time it received the request). Not {@code occurred_at}: history imports,
 * phones that upload hours late and app retries all carry old {@code occurred_at}s, so a clock made of them
 * runs backwards and forwards with every upload; arrival time only moves forward, and "every record that
 * arrived before t has been read" is exactly what a rule needs before it may conclude that a card did not come.
 *
 * <p>Per Kafka partition (this generator runs per split): watermark = newest arrival time read − the
 * out-of-orderness (records of one partition are appended nearly in arrival order; the gateway's concurrent
 * requests can interleave a little). An arrival time ahead of the wall clock (a producer's clock ahead) counts as
 * now, so it cannot move the clock into the future. When a quiet partition has been read to its end, the source
 * reader itself moves the clock to the wall clock ({@link ArrivalTimeSource}).
 */
public final class ArrivalWatermarks implements WatermarkStrategy<InputRecord> {
    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMs;

    public ArrivalWatermarks(Duration outOfOrderness) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
    }

    @Override
    public TimestampAssigner<InputRecord> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return (record, kafkaTimestamp) -> record.kafkaTimestamp;
    }

    @Override
    public WatermarkGenerator<InputRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new Generator(outOfOrdernessMs);
    }

    static final class Generator implements WatermarkGenerator<InputRecord> {
        private final long outOfOrdernessMs;
        private long newestArrival = Long.MIN_VALUE;
        private long lastEmitted = Long.MIN_VALUE;

        Generator(long outOfOrdernessMs) {
            this.outOfOrdernessMs = outOfOrdernessMs;
        }

        @Override
        public void onEvent(InputRecord record, long arrival, WatermarkOutput output) {
            long capped = Math.min(arrival, System.currentTimeMillis());
            if (capped > newestArrival) {
                newestArrival = capped;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (newestArrival == Long.MIN_VALUE) {
                return; // nothing read from this partition yet
            }
            long candidate = newestArrival - outOfOrdernessMs - 1;
            if (candidate > lastEmitted) {
                lastEmitted = candidate;
                output.emitWatermark(new Watermark(candidate));
            }
        }
    }
}
