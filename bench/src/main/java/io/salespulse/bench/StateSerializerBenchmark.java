package io.salespulse.bench;

import io.salespulse.pipeline.overdue.AlertFact;
import io.salespulse.pipeline.overdue.CardFact;
import io.salespulse.pipeline.overdue.CustomerTimeline;
import io.salespulse.pipeline.overdue.CustomerTimelineSerializer;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: the overdue detector's state, the bytes RocksDB reads and writes for every card and timer: a customer's
 * timeline written by its own serializer ({@code own}), against Flink's POJO serializer that wrote it before
 * ({@code pojo}, the same-run baseline).
 */
@State(Scope.Thread)
public class StateSerializerBenchmark {
    @Param({"own", "pojo"})
    public String format;

    private TypeSerializer<CustomerTimeline> serializer;
    private CustomerTimeline timeline;
    private DataOutputSerializer out;
    private byte[] bytes;
    private DataInputDeserializer in;

    static TypeSerializer<CustomerTimeline> serializer(String format) {
        return "pojo".equals(format)
                ? TypeInformation.of(CustomerTimeline.class).createSerializer(new SerializerConfigImpl())
                : CustomerTimelineSerializer.INSTANCE;
    }

    /** A customer at the proposal stage: contact, needs and proposal cards, the needs card's alert retracted. */
    static CustomerTimeline typical() {
        long t = 1_793_000_000_000L;
        CustomerTimeline s = new CustomerTimeline();
        s.tenant = "weijiang";
        s.customerId = "c-0042137";
        s.cards = new CardFact[] {card(t, 1, 48), card(t + 20 * 3_600_000L, 2, 72), card(t + 90 * 3_600_000L, 3, 120)};
        s.cards[2].highPotential = true;
        s.cards[2].dealValue = 10_500.0;
        AlertFact a = new AlertFact();
        a.entryIdHash = s.cards[1].idHash;
        a.stage = "needs";
        a.dueAt = s.cards[1].dueAt;
        a.firedAt = a.dueAt;
        a.sent = true;
        a.retracted = true;
        s.alerts = new AlertFact[] {a};
        s.lastEventAt = s.cards[2].at;
        s.lastArrivalAt = s.cards[2].arrivedAt;
        s.cardsSeen = 3;
        s.timerAt = s.cards[2].dueAt;
        s.lastRowHash = 0x3C6EF372FE94F82BL;
        return s;
    }

    private static CardFact card(long at, int rank, int slaHours) {
        CardFact c = new CardFact();
        c.idHash = at * 31 + rank;
        c.at = at;
        c.arrivedAt = at + 40_000;
        c.rank = rank;
        c.repId = "r-017";
        c.region = "hz-west";
        c.team = "t-3";
        c.slaMillis = slaHours * 3_600_000L;
        c.dueAt = at + c.slaMillis;
        return c;
    }

    /** Serialized size of {@link #typical()}, for the results table. */
    static int typicalBytes(String format) throws IOException {
        DataOutputSerializer o = new DataOutputSerializer(256);
        serializer(format).serialize(typical(), o);
        return o.length();
    }

    @Setup
    public void setup() throws IOException {
        serializer = serializer(format);
        timeline = typical();
        out = new DataOutputSerializer(256);
        serializer.serialize(timeline, out);
        bytes = out.getCopyOfBuffer();
        in = new DataInputDeserializer();
    }

    @Benchmark
    public int serialize() throws IOException {
        out.clear();
        serializer.serialize(timeline, out);
        return out.length();
    }

    @Benchmark
    public CustomerTimeline deserialize() throws IOException {
        in.setBuffer(bytes);
        return serializer.deserialize(in);
    }
}
