package io.salespulse.faults;

import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A crash on demand inside the job (test-only, MiniCluster in this JVM): the source's deserializer
 * throws once {@link #armAfter} records have passed, which fails the task like any bug or lost machine
 * would. Static, because the job's copy of the deserializer is a deserialized clone.
 */
final class CrashSwitch {
    private static final AtomicLong countdown = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong crashes = new AtomicLong();

    private CrashSwitch() {}

    /** The next crash happens after {@code records} more records (over all source subtasks). */
    static void armAfter(long records) {
        countdown.set(records);
    }

    static void disarm() {
        countdown.set(Long.MAX_VALUE);
    }

    static long crashes() {
        return crashes.get();
    }

    /** Wraps the job's real deserializer. */
    static final class CrashingDeserializer implements KafkaRecordDeserializationSchema<InputRecord> {
        private static final long serialVersionUID = 1L;
        private final ContractDeserializer delegate;

        CrashingDeserializer(ContractDeserializer delegate) {
            this.delegate = delegate;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputRecord> out) throws IOException {
            if (countdown.get() != Long.MAX_VALUE && countdown.decrementAndGet() == 0) {
                crashes.incrementAndGet();
                throw new IllegalStateException("injected crash (fault-injection test) at " + record.topic() + "-"
                        + record.partition() + "@" + record.offset());
            }
            delegate.deserialize(record, out);
        }

        @Override
        public TypeInformation<InputRecord> getProducedType() {
            return delegate.getProducedType();
        }
    }
}
