package io.salespulse.pipeline.overdue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How a {@link CustomerTimeline} is kept in RocksDB: its fields written one after another, and of each card's rep,
 * region and team only what differs from the card before (a customer's cards nearly always share them).
 *
 * <p>Every card and every timer reads the customer's timeline and writes it back. Flink's POJO serializer did that
 * field by field through reflection, cards and alerts included, and was about a fifth of the job's CPU samples in
 * the throughput benchmark. Earlier versions kept the timeline with the POJO serializer (savepoint monitor-v2 is one):
 * restoring their savepoints or checkpoints migrates the state once, on start (see
 * {@link Snapshot#resolveSchemaCompatibility}), which is why {@link CustomerTimeline}, {@link CardFact} and
 * {@link AlertFact} keep their POJO shape.
 */
public final class CustomerTimelineSerializer extends TypeSerializerSingleton<CustomerTimeline> {
    private static final long serialVersionUID = 1L;
    public static final CustomerTimelineSerializer INSTANCE = new CustomerTimelineSerializer();

    /** Of a card's rep, region and team: none, the previous card's, or a string follows. */
    private static final byte NONE = 0;
    private static final byte SAME = 1;
    private static final byte TEXT = 2;

    private static final int CARD_HIGH_POTENTIAL = 1;
    private static final int CARD_DEAL_VALUE = 2;
    private static final int CARD_WORKING_TIME = 4;
    private static final int ALERT_SENT = 1;
    private static final int ALERT_RETRACTED = 2;
    private static final int ALERT_HIGH = 4;
    private static final int ALERT_HISTORY = 8;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public CustomerTimeline createInstance() {
        return new CustomerTimeline();
    }

    /**
     * A deep copy through this format, so that the fields are listed once (in serialize and deserialize). RocksDB
     * never copies values; Flink copies only where objects are shared (heap state, chained operators in object-reuse
     * mode), so the round trip's cost does not matter.
     */
    @Override
    public CustomerTimeline copy(CustomerTimeline from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the timeline of " + from.customerId, e);
        }
    }

    @Override
    public CustomerTimeline copy(CustomerTimeline from, CustomerTimeline reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CustomerTimeline t, DataOutputView out) throws IOException {
        StringValue.writeString(t.tenant, out);
        StringValue.writeString(t.customerId, out);
        writeCards(t.cards, out);
        writeAlerts(t.alerts, out);
        out.writeLong(t.lastEventAt);
        out.writeLong(t.lastArrivalAt);
        out.writeLong(t.cardsSeen);
        out.writeLong(t.timerAt);
        if (t.holds == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(t.holds.length);
            for (String h : t.holds) {
                StringValue.writeString(h, out);
            }
        }
        if (t.holdsSeenAt == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(t.holdsSeenAt.length);
            for (long at : t.holdsSeenAt) {
                out.writeLong(at);
            }
        }
        out.writeLong(t.lastRowHash);
    }

    private static void writeCards(CardFact[] cards, DataOutputView out) throws IOException {
        if (cards == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(cards.length);
        CardFact previous = null;
        for (CardFact c : cards) {
            // A timeline never holds a null card; written as one anyway so that any array round-trips.
            out.writeBoolean(c != null);
            if (c == null) {
                continue;
            }
            out.writeLong(c.idHash);
            out.writeLong(c.at);
            out.writeLong(c.arrivedAt);
            out.writeInt(c.rank);
            StringValue.writeString(c.outcome, out);
            out.writeByte((c.highPotential ? CARD_HIGH_POTENTIAL : 0) | (c.dealValue != null ? CARD_DEAL_VALUE : 0)
                    | (c.workingTime ? CARD_WORKING_TIME : 0));
            if (c.dealValue != null) {
                out.writeDouble(c.dealValue);
            }
            StringValue.writeString(c.objectionTag, out);
            writeShared(c.repId, previous == null ? null : previous.repId, out);
            writeShared(c.region, previous == null ? null : previous.region, out);
            writeShared(c.team, previous == null ? null : previous.team, out);
            out.writeLong(c.dueAt);
            out.writeLong(c.slaMillis);
            previous = c;
        }
    }

    private static void writeShared(String value, String previous, DataOutputView out) throws IOException {
        if (value == null) {
            out.writeByte(NONE);
        } else if (value.equals(previous)) {
            out.writeByte(SAME);
        } else {
            out.writeByte(TEXT);
            StringValue.writeString(value, out);
        }
    }

    private static void writeAlerts(AlertFact[] alerts, DataOutputView out) throws IOException {
        if (alerts == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(alerts.length);
        for (AlertFact a : alerts) {
            out.writeBoolean(a != null);
            if (a == null) {
                continue;
            }
            out.writeLong(a.entryIdHash);
            StringValue.writeString(a.stage, out);
            out.writeLong(a.dueAt);
            out.writeLong(a.firedAt);
            out.writeByte((a.sent ? ALERT_SENT : 0) | (a.retracted ? ALERT_RETRACTED : 0) | (a.high ? ALERT_HIGH : 0)
                    | (a.history ? ALERT_HISTORY : 0));
        }
    }

    @Override
    public CustomerTimeline deserialize(DataInputView in) throws IOException {
        CustomerTimeline t = new CustomerTimeline();
        t.tenant = StringValue.readString(in);
        t.customerId = StringValue.readString(in);
        t.cards = readCards(in);
        t.alerts = readAlerts(in);
        t.lastEventAt = in.readLong();
        t.lastArrivalAt = in.readLong();
        t.cardsSeen = in.readLong();
        t.timerAt = in.readLong();
        int holds = in.readInt();
        if (holds < 0) {
            t.holds = null;
        } else {
            t.holds = new String[holds];
            for (int i = 0; i < holds; i++) {
                t.holds[i] = StringValue.readString(in);
            }
        }
        int seen = in.readInt();
        if (seen < 0) {
            t.holdsSeenAt = null;
        } else {
            t.holdsSeenAt = new long[seen];
            for (int i = 0; i < seen; i++) {
                t.holdsSeenAt[i] = in.readLong();
            }
        }
        t.lastRowHash = in.readLong();
        return t;
    }

    private static CardFact[] readCards(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        CardFact[] cards = new CardFact[n];
        CardFact previous = null;
        for (int i = 0; i < n; i++) {
            if (!in.readBoolean()) {
                continue;
            }
            CardFact c = new CardFact();
            c.idHash = in.readLong();
            c.at = in.readLong();
            c.arrivedAt = in.readLong();
            c.rank = in.readInt();
            c.outcome = StringValue.readString(in);
            int flags = in.readByte();
            c.highPotential = (flags & CARD_HIGH_POTENTIAL) != 0;
            c.workingTime = (flags & CARD_WORKING_TIME) != 0;
            c.dealValue = (flags & CARD_DEAL_VALUE) != 0 ? in.readDouble() : null;
            c.objectionTag = StringValue.readString(in);
            c.repId = readShared(previous == null ? null : previous.repId, in);
            c.region = readShared(previous == null ? null : previous.region, in);
            c.team = readShared(previous == null ? null : previous.team, in);
            c.dueAt = in.readLong();
            c.slaMillis = in.readLong();
            cards[i] = c;
            previous = c;
        }
        return cards;
    }

    private static String readShared(String previous, DataInputView in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case NONE:
                return null;
            case SAME:
                return Objects.requireNonNull(previous, "a card's field refers to a previous card that has none");
            case TEXT:
                return StringValue.readString(in);
            default:
                throw new IOException("corrupt timeline state: unknown field marker " + kind);
        }
    }

    private static AlertFact[] readAlerts(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        AlertFact[] alerts = new AlertFact[n];
        for (int i = 0; i < n; i++) {
            if (!in.readBoolean()) {
                continue;
            }
            AlertFact a = new AlertFact();
            a.entryIdHash = in.readLong();
            a.stage = StringValue.readString(in);
            a.dueAt = in.readLong();
            a.firedAt = in.readLong();
            int flags = in.readByte();
            a.sent = (flags & ALERT_SENT) != 0;
            a.retracted = (flags & ALERT_RETRACTED) != 0;
            a.high = (flags & ALERT_HIGH) != 0;
            a.history = (flags & ALERT_HISTORY) != 0;
            alerts[i] = a;
        }
        return alerts;
    }

    @Override
    public CustomerTimeline deserialize(CustomerTimeline reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<CustomerTimeline> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * The format's identity in checkpoints and savepoints. A timeline written by Flink's POJO serializer (earlier
     * versions) is read with it once more and written in this format when the job starts from it.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CustomerTimeline> {
        public Snapshot() {
            super(() -> INSTANCE);
        }

        @Override
        public TypeSerializerSchemaCompatibility<CustomerTimeline> resolveSchemaCompatibility(
                TypeSerializerSnapshot<CustomerTimeline> old) {
            if (old instanceof PojoSerializerSnapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return super.resolveSchemaCompatibility(old);
        }
    }
}
