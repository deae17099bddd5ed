package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The detector's input crosses the key-by with its own serializer: nothing {@link CustomerEvent#of} keeps is lost. */
class CustomerEventSerializerTest {

    @Test
    void everyFieldACardKeepsCrossesTheShuffle() throws Exception {
        StageEvent card = filled(new StageEvent());
        CustomerEvent sent = CustomerEvent.of(card);
        CustomerEvent received = roundTrip(sent);
        assertThat(received.visit).isNull();
        assertSameFields(received.card, sent.card);
        // What of() drops stays dropped; what it keeps is the card's.
        assertThat(received.card.need).isNull();
        assertThat(received.card.eventId).isEqualTo(card.eventId);
        assertThat(received.card.dealValue).isEqualTo(card.dealValue);
    }

    @Test
    void aCardWithoutOptionalFieldsAndAVisitCrossIntact() throws Exception {
        StageEvent card = new StageEvent();
        card.tenant = "weijiang";
        card.customerId = "c-1";
        card.stage = "contact";
        card.occurredAt = 1_780_243_200_000L;
        CustomerEvent sent = CustomerEvent.of(card);
        assertSameFields(roundTrip(sent).card, sent.card);

        VisitEvent visit = filled(new VisitEvent());
        CustomerEvent visitSent = CustomerEvent.of(visit);
        CustomerEvent visitReceived = roundTrip(visitSent);
        assertThat(visitReceived.card).isNull();
        assertSameFields(visitReceived.visit, visitSent.visit);
        assertThat(visitReceived.visit.customerId).isEqualTo(visit.customerId);
    }

    @Test
    void flinkFindsTheSerializerThroughTheTypeAndItsSnapshotRestoresIt() {
        TypeInformation<CustomerEvent> info = TypeInformation.of(CustomerEvent.class);
        assertThat(info).isEqualTo(CustomerEventTypeInfo.INSTANCE);
        assertThat(info.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(CustomerEventSerializer.INSTANCE);
        TypeSerializerSnapshot<CustomerEvent> snapshot = CustomerEventSerializer.INSTANCE.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isSameAs(CustomerEventSerializer.INSTANCE);
        assertThat(CustomerEventSerializer.INSTANCE.snapshotConfiguration()
                .resolveSchemaCompatibility(snapshot).isCompatibleAsIs()).isTrue();
    }

    private static CustomerEvent roundTrip(CustomerEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        CustomerEventSerializer.INSTANCE.serialize(e, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        CustomerEvent back = CustomerEventSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    /** Every public instance field set to a value of its own (strings name their field). */
    private static <T> T filled(T event) throws Exception {
        int n = 1;
        for (Field f : event.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            n++;
            Class<?> type = f.getType();
            if (type == String.class) {
                f.set(event, f.getName() + "-value");
            } else if (type == long.class) {
                f.setLong(event, 1_780_243_200_000L + n);
            } else if (type == boolean.class) {
                f.setBoolean(event, true);
            } else if (type == Double.class) {
                f.set(event, 1000.5 + n);
            } else {
                throw new AssertionError("a field of a type this test does not fill: " + f);
            }
        }
        return event;
    }

    private static void assertSameFields(Object actual, Object expected) throws Exception {
        for (Field f : expected.getClass().getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                assertThat(f.get(actual)).as(f.getName()).isEqualTo(f.get(expected));
            }
        }
    }
}
