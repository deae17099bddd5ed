package io.salespulse.pipeline.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The funnel job's state and network types are Flink POJOs all the way down: never Kryo. */
class FunnelStateTypesTest {
    @ParameterizedTest
    @ValueSource(classes = {CardRef.class, FunnelEntry.class, ObjectionFact.class, CustomerHistory.class,
            CustomerSnapshot.class, StageInterval.class, ConversionRow.class, DropFinding.class, DropEpisode.class, ObjectionCounts.class,
            CustomerFunnelState.class, CoachingCase.class, ImportHolds.class, WindowProgress.class, WindowEndLog.class,
            RegionFact.class, KeyProgress.class, CoachProgress.class, DigestProgress.class, DigestSent.class, OpenCustomer.class, DigestDay.class,
            DigestRow.class, DropWatch.class})
    void isAFlinkPojo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            TypeInformation<?> field = pojo.getPojoFieldAt(i).getTypeInformation();
            assertThat(field.getClass().getSimpleName())
                    .as(type.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                    .isNotEqualTo("GenericTypeInfo");
            assertThat(field.toString()).as(type.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                    .doesNotContain("GenericType");
        }
    }
}
