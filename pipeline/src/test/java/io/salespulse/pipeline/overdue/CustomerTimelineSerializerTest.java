package io.salespulse.pipeline.overdue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The timeline's own serializer: every field survives (a field added to the state and not to the serializer fails
 * here), and state written by Flink's POJO serializer in earlier versions is migrated, not refused. The restore of a
 * real savepoint in the POJO format is UpgradeSavepointTest's (faults, savepoint monitor-v2).
 */
class CustomerTimelineSerializerTest {
    private static final CustomerTimelineSerializer SERIALIZER = CustomerTimelineSerializer.INSTANCE;

    @Test
    void everyFieldOfTheTimelineItsCardsAndAlertsSurvives() throws IOException {
        CustomerTimeline t = timeline();
        assertNoDefaultField(t);
        assertNoDefaultField(t.cards[0]);
        assertNoDefaultField(t.alerts[0]);

        CustomerTimeline back = roundTrip(SERIALIZER, t);

        assertThat(back).usingRecursiveComparison().isEqualTo(t);
    }

    @Test
    void cardsSharingRepRegionAndTeamAndCardsChangingThemBothSurvive() throws IOException {
        CustomerTimeline t = timeline();
        t.cards[1].repId = null; // none, then the first card's again: "same as before" must mean the card before
        t.cards[2].repId = "r-017";
        t.cards[2].region = "hz-east";
        t.cards[1].dealValue = null;
        t.holds = null;
        t.holdsSeenAt = null;

        assertThat(roundTrip(SERIALIZER, t)).usingRecursiveComparison().isEqualTo(t);
        assertThat(roundTrip(SERIALIZER, new CustomerTimeline())).usingRecursiveComparison()
                .isEqualTo(new CustomerTimeline());
    }

    @Test
    void aCopyIsDeep() {
        CustomerTimeline t = timeline();
        CustomerTimeline copy = SERIALIZER.copy(t);
        assertThat(copy).usingRecursiveComparison().isEqualTo(t);

        copy.cards[0].dueAt = 1;
        copy.alerts[0].retracted = false;
        copy.holdsSeenAt[0] = 2;
        assertThat(t.cards[0].dueAt).isNotEqualTo(1);
        assertThat(t.alerts[0].retracted).isTrue();
        assertThat(t.holdsSeenAt[0]).isNotEqualTo(2);
    }

    @Test
    void stateOfThePojoFormatIsMigratedAndReadsTheSame() throws IOException {
        TypeSerializer<CustomerTimeline> pojo = TypeInformation.of(CustomerTimeline.class)
                .createSerializer(new SerializerConfigImpl());
        assertThat(pojo.getClass().getSimpleName()).isEqualTo("PojoSerializer");
        TypeSerializerSnapshot<CustomerTimeline> before = restoredSnapshot(pojo);

        TypeSerializerSchemaCompatibility<CustomerTimeline> fromPojo = SERIALIZER.snapshotConfiguration()
                .resolveSchemaCompatibility(before);
        TypeSerializerSchemaCompatibility<CustomerTimeline> fromItself = SERIALIZER.snapshotConfiguration()
                .resolveSchemaCompatibility(restoredSnapshot(SERIALIZER));

        assertThat(fromPojo.isCompatibleAfterMigration()).as(fromPojo.toString()).isTrue();
        assertThat(fromItself.isCompatibleAsIs()).as(fromItself.toString()).isTrue();
        // The migration: what the old format holds, read by the serializer restored from its snapshot, written anew.
        CustomerTimeline t = timeline();
        CustomerTimeline readOld = roundTrip(before.restoreSerializer(), t);
        assertThat(roundTrip(SERIALIZER, readOld)).usingRecursiveComparison().isEqualTo(t);
        System.out.printf("timeline of 3 cards and 1 alert: %d bytes (POJO format: %d)%n", bytes(SERIALIZER, t).length,
                bytes(pojo, t).length);
        assertThat(bytes(SERIALIZER, t).length).isLessThan(bytes(pojo, t).length);
    }

    /** The snapshot as a restore reads it back from a checkpoint. */
    private static TypeSerializerSnapshot<CustomerTimeline> restoredSnapshot(TypeSerializer<CustomerTimeline> s)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                CustomerTimelineSerializerTest.class.getClassLoader());
    }

    private static CustomerTimeline roundTrip(TypeSerializer<CustomerTimeline> s, CustomerTimeline t)
            throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes(s, t));
        CustomerTimeline back = s.deserialize(in);
        assertThat(in.available()).as("bytes left after the timeline").isZero();
        return back;
    }

    private static byte[] bytes(TypeSerializer<CustomerTimeline> s, CustomerTimeline t) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        s.serialize(t, out);
        return out.getCopyOfBuffer();
    }

    /** A customer with three cards (the second and third differ in rep, region and team), an alert and two holds. */
    private static CustomerTimeline timeline() {
        CustomerTimeline t = new CustomerTimeline();
        t.tenant = "weijiang";
        t.customerId = "c-0042";
        t.cards = new CardFact[] {card(11, "r-017", "hz-west", "t-3"), card(12, "r-017", "hz-west", "t-3"),
            card(13, "r-021", "hz-north", "t-5")};
        t.cards[2].outcome = "won";
        AlertFact a = new AlertFact();
        a.entryIdHash = -7_221_004_118_331L;
        a.stage = "needs";
        a.dueAt = 1_767_600_000_000L;
        a.firedAt = 1_767_600_300_000L;
        a.sent = true;
        a.retracted = true;
        a.high = true;
        a.history = true;
        t.alerts = new AlertFact[] {a};
        t.lastEventAt = 1_767_700_000_000L;
        t.lastArrivalAt = 1_767_700_100_000L;
        t.cardsSeen = 3;
        t.timerAt = 1_767_800_000_000L;
        t.holds = new String[] {"import-2026-01", "crm-export.7"};
        t.holdsSeenAt = new long[] {1_767_650_000_000L, 1_767_660_000_000L};
        t.lastRowHash = 0x5DEECE66DL;
        return t;
    }

    private static CardFact card(long seed, String rep, String region, String team) {
        CardFact c = new CardFact();
        c.idHash = seed * 1_000_003L;
        c.at = 1_767_500_000_000L + seed;
        c.arrivedAt = 1_767_500_900_000L + seed;
        c.rank = (int) seed % 5 + 1;
        c.outcome = "pending";
        c.highPotential = true;
        c.dealValue = 12_000.5 + seed;
        c.objectionTag = "price_high";
        c.repId = rep;
        c.region = region;
        c.team = team;
        c.dueAt = 1_767_600_000_000L + seed;
        c.slaMillis = 72 * 3_600_000L;
        c.workingTime = true;
        return c;
    }

    /** Every instance field holds something other than its type's default, so the round trip proves it is written. */
    private static void assertNoDefaultField(Object o) {
        for (Field f : o.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Object v;
            try {
                v = f.get(o);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            String what = o.getClass().getSimpleName() + "." + f.getName();
            assertThat(v).as(what).isNotNull();
            assertThat(v).as(what).isNotIn(0, 0L, 0.0, false);
            if (v.getClass().isArray()) {
                assertThat(Array.getLength(v)).as(what).isPositive();
            }
        }
    }
}
