package io.salespulse.pipeline.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The types policies add to the job's network and state are Flink POJOs, never Kryo. (The detector's other input,
 * {@code CustomerEvent}, has a serializer of its own: {@code CustomerEventSerializerTest}.)
 */
class PolicyTypesTest {
    @ParameterizedTest
    @ValueSource(classes = {PolicyUpdate.class, PolicyChange.class})
    void isAFlinkPojo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getPojoFieldAt(i).getTypeInformation()).isNotInstanceOf(GenericTypeInfo.class);
        }
    }
}
