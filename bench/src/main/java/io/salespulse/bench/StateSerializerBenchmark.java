package io.salespulse.bench;

import io.salespulse.pipeline.overdue.CustomerState;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** JMH: Flink's POJO serializer of the overdue detector's state, the bytes RocksDB reads and writes per event. */
@State(Scope.Thread)
public class StateSerializerBenchmark {
    private TypeSerializer<CustomerState> serializer;
    private CustomerState state;
    private DataOutputSerializer out;
    private byte[] bytes;
    private DataInputDeserializer in;

    static TypeSerializer<CustomerState> serializer() {
        return TypeInformation.of(CustomerState.class).createSerializer(new SerializerConfigImpl());
    }

    static CustomerState typical() {
        CustomerState s = new CustomerState();
        s.tenant = "weijiang";
        s.customerId = "c-0042137";
        s.repId = "r-017";
        s.region = "hz-west";
        s.team = "t-3";
        s.stage = "needs";
        s.stageEnteredAt = 1_793_000_000_000L;
        s.dueAt = s.stageEnteredAt + 72 * 3_600_000L;
        s.status = "active";
        s.highPotential = true;
        s.dealValue = 10_500.0;
        s.objectionTag = null;
        s.lastEventAt = s.stageEnteredAt;
        s.slaMillis = 72 * 3_600_000L;
        s.version = s.stageEnteredAt + 3;
        return s;
    }

    /** Serialized size of {@link #typical()}, for the results table. */
    static int typicalBytes() throws IOException {
        DataOutputSerializer o = new DataOutputSerializer(256);
        serializer().serialize(typical(), o);
        return o.length();
    }

    @Setup
    public void setup() throws IOException {
        serializer = serializer();
        state = typical();
        out = new DataOutputSerializer(256);
        serializer.serialize(state, out);
        bytes = out.getCopyOfBuffer();
        in = new DataInputDeserializer();
    }

    @Benchmark
    public int serialize() throws IOException {
        out.clear();
        serializer.serialize(state, out);
        return out.length();
    }

    @Benchmark
    public CustomerState deserialize() throws IOException {
        in.setBuffer(bytes);
        return serializer.deserialize(in);
    }
}
