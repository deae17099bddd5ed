package io.salespulse.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.contract.AckEvent;
import io.salespulse.contract.Alert;
import io.salespulse.contract.CashEvent;
import io.salespulse.contract.StageEvent;
import io.salespulse.contract.VisitEvent;
import io.salespulse.pipeline.events.DeadLetter;
import io.salespulse.pipeline.events.InputRecord;
import io.salespulse.pipeline.overdue.CustomerState;
import io.salespulse.pipeline.overdue.CustomerStatus;
import io.salespulse.pipeline.receivables.PaymentFact;
import io.salespulse.pipeline.receivables.Receivable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type that crosses the network or lives in state is a Flink POJO, so it is serialized by the
 * POJO serializer (schema evolution for savepoints), never by Kryo.
 */
class StateTypesTest {
    @ParameterizedTest
    @ValueSource(classes = {CustomerState.class, CustomerStatus.class, InputRecord.class, StageEvent.class,
            VisitEvent.class, AckEvent.class, Alert.class, DeadLetter.class, CashEvent.class,
            CashEvent.Installment.class, Receivable.class, PaymentFact.class})
    void isAFlinkPojo(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
        for (int i = 0; i < pojo.getArity(); i++) {
            assertThat(pojo.getPojoFieldAt(i).getTypeInformation().getClass().getSimpleName())
                    .as(type.getSimpleName() + "." + pojo.getPojoFieldAt(i).getField().getName())
                    .isNotEqualTo("GenericTypeInfo");
        }
    }
}
