package io.salespulse.pipeline.overdue;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's type information for {@link CustomerEvent}: serialized by {@link CustomerEventSerializer}. */
public final class CustomerEventTypeInfo extends TypeInformation<CustomerEvent> {
    private static final long serialVersionUID = 1L;
    public static final CustomerEventTypeInfo INSTANCE = new CustomerEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<CustomerEvent> getTypeClass() {
        return CustomerEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<CustomerEvent> createSerializer(SerializerConfig config) {
        return CustomerEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "CustomerEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CustomerEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return CustomerEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof CustomerEventTypeInfo;
    }

    /** Found by Flink's type extraction through {@code @TypeInfo} on {@link CustomerEvent}. */
    public static final class Factory extends TypeInfoFactory<CustomerEvent> {
        @Override
        public TypeInformation<CustomerEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return INSTANCE;
        }
    }
}
