package io.salespulse.pipeline.overdue;

import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * How a {@link CustomerEvent} crosses the key-by to the detector: the fields {@link CustomerEvent#of} keeps, written
 * one after another. Every record of the monitor job crosses that shuffle; Flink's POJO serializer set each field by
 * reflection, twice on the way in (once to a fresh default, once to the value), and that was about a third of the
 * job's CPU samples in the throughput benchmark. The type is never kept in state, so nothing in a checkpoint or
 * savepoint depends on this format.
 */
public final class CustomerEventSerializer extends TypeSerializerSingleton<CustomerEvent> {
    private static final long serialVersionUID = 1L;
    public static final CustomerEventSerializer INSTANCE = new CustomerEventSerializer();

    private static final byte CARD = 1;
    private static final byte VISIT = 2;
    private static final byte NO_DEAL_VALUE = 0;
    private static final byte DEAL_VALUE = 1;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public CustomerEvent createInstance() {
        return new CustomerEvent();
    }

    @Override
    public CustomerEvent copy(CustomerEvent from) {
        if (from.card != null) {
            return CustomerEvent.of(from.card);
        }
        return from.visit != null ? CustomerEvent.of(from.visit) : new CustomerEvent();
    }

    @Override
    public CustomerEvent copy(CustomerEvent from, CustomerEvent reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CustomerEvent e, DataOutputView out) throws IOException {
        if (e.card != null) {
            StageEvent c = e.card;
            out.writeByte(CARD);
            out.writeLong(c.occurredAt);
            StringValue.writeString(c.eventId, out);
            StringValue.writeString(c.tenant, out);
            StringValue.writeString(c.customerId, out);
            StringValue.writeString(c.repId, out);
            StringValue.writeString(c.region, out);
            StringValue.writeString(c.team, out);
            StringValue.writeString(c.stage, out);
            StringValue.writeString(c.objectionTag, out);
            StringValue.writeString(c.outcome, out);
            StringValue.writeString(c.importId, out);
            out.writeBoolean(c.highPotential);
            if (c.dealValue == null) {
                out.writeByte(NO_DEAL_VALUE);
            } else {
                out.writeByte(DEAL_VALUE);
                out.writeDouble(c.dealValue);
            }
        } else if (e.visit != null) {
            VisitEvent v = e.visit;
            out.writeByte(VISIT);
            out.writeLong(v.occurredAt);
            StringValue.writeString(v.tenant, out);
            StringValue.writeString(v.customerId, out);
        } else {
            throw new IOException("A customer event carries neither a card nor a visit");
        }
    }

    @Override
    public CustomerEvent deserialize(DataInputView in) throws IOException {
        CustomerEvent e = new CustomerEvent();
        byte kind = in.readByte();
        if (kind == CARD) {
            StageEvent c = new StageEvent();
            c.occurredAt = in.readLong();
            c.eventId = StringValue.readString(in);
            c.tenant = StringValue.readString(in);
            c.customerId = StringValue.readString(in);
            c.repId = StringValue.readString(in);
            c.region = StringValue.readString(in);
            c.team = StringValue.readString(in);
            c.stage = StringValue.readString(in);
            c.objectionTag = StringValue.readString(in);
            c.outcome = StringValue.readString(in);
            c.importId = StringValue.readString(in);
            c.highPotential = in.readBoolean();
            c.dealValue = in.readByte() == DEAL_VALUE ? in.readDouble() : null;
            e.card = c;
        } else if (kind == VISIT) {
            VisitEvent v = new VisitEvent();
            v.occurredAt = in.readLong();
            v.tenant = StringValue.readString(in);
            v.customerId = StringValue.readString(in);
            e.visit = v;
        } else {
            throw new IOException("Unknown customer event kind " + kind);
        }
        return e;
    }

    @Override
    public CustomerEvent deserialize(CustomerEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<CustomerEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** No configuration: the format is the class's. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CustomerEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
