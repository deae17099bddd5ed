package io.salespulse.pipeline.events;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event time that follows the data while there is data, and the wall clock when a partition is quiet.
 *
 * <p>Overdue alerts are event-time timers, so a replay of the same history fires the same alerts. But
 * with plain bounded-out-of-orderness watermarks, event time stops when the input stops, and a customer
 * due at 3 a.m. on a quiet night would not be alerted until the next card arrives (Flink's
 * {@code withIdleness} does not help when every input is idle). So each Kafka partition (this generator
 * runs per split) works like this:
 *
 * <ul>
 *   <li>While records flow: watermark = newest {@code occurred_at} - out-of-orderness.
 *   <li>When the partition has been silent for {@code idleTimeout} AND is <em>caught up</em> (its last
 *       record was written to Kafka at most {@code caughtUpLag} before we read it), nothing older is
 *       still coming, so the watermark follows the wall clock: now - out-of-orderness. Due timers then
 *       fire about {@code idleTimeout + outOfOrderness} after their due time.
 *   <li>When it has been silent for {@code idleTimeout} and is not caught up (the end of a replayed
 *       backlog of old records), it follows the wall clock only while the {@link DrainProbe} confirms that
 *       the source has read the partition to its end: no committed record at or after the offset after
 *       the last record read. Silence alone proves nothing: under back-pressure, while the reader serves
 *       other splits, or while the broker is unreachable, a partition with unread records can be silent
 *       for minutes. An unanswered, old or failed check means "not drained".
 *   <li>A partition no record has come from yet (empty, or not read yet) has no known offset to check.
 *       It follows the wall clock once it has been silent for {@code drainTimeout} while Kafka answered
 *       the probe's checks of all input partitions the whole time; when Kafka does not answer, that
 *       silence starts again.
 * </ul>
 *
 * While a backlog is being read the partition is never drained, so a replay moves only by event time and
 * is deterministic; the wall clock takes over only once the backlog is read. Dead letters carry no event
 * time and never move the watermark; they do count as activity and tell the partition's offset. Silence is
 * only counted while the source task runs: when the periodic call comes more than a second late (the task
 * thread was blocked), the time beyond that second does not count as silence.
 */
public final class LiveWatermarks implements WatermarkStrategy<InputRecord> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveWatermarks.class);

    /** Wall clock, replaceable in tests. */
    public interface Clock extends Serializable {
        long currentTimeMillis();

        long nanoTime();

        Clock SYSTEM = new Clock() {
            @Override
            public long currentTimeMillis() {
                return System.currentTimeMillis();
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
    }

    private final long outOfOrdernessMs;
    private final long idleTimeoutMs;
    private final long caughtUpLagMs;
    private final long drainTimeoutMs;
    private final DrainProbe.Factory drainProbe;
    private final Clock clock;

    public LiveWatermarks(Duration outOfOrderness, Duration idleTimeout, Duration caughtUpLag, Duration drainTimeout,
            DrainProbe.Factory drainProbe) {
        this(outOfOrderness, idleTimeout, caughtUpLag, drainTimeout, drainProbe, Clock.SYSTEM);
    }

    public LiveWatermarks(Duration outOfOrderness, Duration idleTimeout, Duration caughtUpLag, Duration drainTimeout,
            DrainProbe.Factory drainProbe, Clock clock) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.idleTimeoutMs = idleTimeout.toMillis();
        this.caughtUpLagMs = caughtUpLag.toMillis();
        this.drainTimeoutMs = drainTimeout.toMillis();
        this.drainProbe = drainProbe;
        this.clock = clock;
    }

    @Override
    public TimestampAssigner<InputRecord> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return (record, kafkaTimestamp) -> record.eventTime();
    }

    @Override
    public WatermarkGenerator<InputRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new Generator(outOfOrdernessMs, idleTimeoutMs, caughtUpLagMs, drainTimeoutMs, drainProbe.open(), clock);
    }

    /** One per Kafka partition. */
    static final class Generator implements WatermarkGenerator<InputRecord> {
        /** Periodic calls come every 100 ms (pipeline.auto-watermark-interval); a longer gap than this means the task thread was held up. */
        private static final long BLOCKED_GAP_NANOS = 1_000_000_000L;

        private final long outOfOrdernessMs;
        private final long idleTimeoutNanos;
        private final long caughtUpLagMs;
        private final long drainTimeoutNanos;
        private final DrainProbe drainProbe;
        private final Clock clock;

        private long maxEventTime = Long.MIN_VALUE;
        private long lastActivityNanos;
        private boolean caughtUp;
        /** The partition, known from its first record (null until then), and the offset after the last record. */
        private String topic;
        private int partition;
        private long nextOffset;
        private long lastEmitted = Long.MIN_VALUE;
        private String followingWallClock;
        private long lastPeriodicNanos;

        Generator(long outOfOrdernessMs, long idleTimeoutMs, long caughtUpLagMs, long drainTimeoutMs,
                DrainProbe drainProbe, Clock clock) {
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idleTimeoutNanos = idleTimeoutMs * 1_000_000L;
            this.caughtUpLagMs = caughtUpLagMs;
            this.drainTimeoutNanos = drainTimeoutMs * 1_000_000L;
            this.drainProbe = drainProbe;
            this.clock = clock;
            this.lastActivityNanos = clock.nanoTime();
            this.lastPeriodicNanos = lastActivityNanos;
        }

        @Override
        public void onEvent(InputRecord record, long eventTime, WatermarkOutput output) {
            lastActivityNanos = clock.nanoTime();
            caughtUp = clock.currentTimeMillis() - record.kafkaTimestamp <= caughtUpLagMs;
            if (record.topic != null) {
                topic = record.topic;
                partition = record.partition;
                nextOffset = Math.max(nextOffset, record.offset + 1);
            }
            if (eventTime != Long.MIN_VALUE && eventTime > maxEventTime) {
                maxEventTime = eventTime;
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = clock.nanoTime();
            long gap = now - lastPeriodicNanos;
            if (gap > BLOCKED_GAP_NANOS) {
                // The task thread was blocked (e.g. a sink in the same chain backing off while ClickHouse
                // is down, or a long pause on a busy machine): nothing was read meanwhile, so only the
                // first second of that time counts as the partition being quiet.
                lastActivityNanos = Math.min(now, lastActivityNanos + gap - BLOCKED_GAP_NANOS);
            }
            lastPeriodicNanos = now;
            if (topic == null && !drainProbe.kafkaAnswers()) {
                // Nothing read yet and Kafka unreachable: the silence says nothing about the partition.
                lastActivityNanos = now;
            }
            long candidate = maxEventTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxEventTime - outOfOrdernessMs - 1;
            String why = wallClockReason(now - lastActivityNanos);
            if (why != null) {
                candidate = Math.max(candidate, clock.currentTimeMillis() - outOfOrdernessMs - 1);
                if (!why.equals(followingWallClock)) {
                    LOG.debug("Partition quiet ({}): event time follows the wall clock", why);
                }
            }
            followingWallClock = why;
            if (candidate > lastEmitted) {
                lastEmitted = candidate;
                output.emitWatermark(new Watermark(candidate));
            }
        }

        /** Why this quiet partition may follow the wall clock, or null while it must not. */
        private String wallClockReason(long silentNanos) {
            if (silentNanos < idleTimeoutNanos) {
                return null;
            }
            if (caughtUp) {
                return "caught up";
            }
            if (topic != null) {
                return drainProbe.confirmsDrained(topic, partition, nextOffset) ? "read to the end" : null;
            }
            return silentNanos >= drainTimeoutNanos ? "no record yet, Kafka answering" : null;
        }
    }
}
