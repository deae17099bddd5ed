package io.salespulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.pipeline.events.ContractDeserializer;
import io.salespulse.pipeline.events.InputRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Found by the poison-input scenario: a record whose Kafka timestamp is exactly 0 (a producer whose clock
 * reads 1970-01-01, which the broker stores) is accepted with an occurred_at in 2099, because
 * EventParser.time() only judges future skew when the record timestamp is above 0. With 1 ms it is
 * rejected as bad_timestamp. Enable this test with the fix in the contract module.
 */
class ProducerClockZeroTest {
    @Test
    void aCardFrom2099WithKafkaTimestampZeroIsADeadLetter() {
        ContractDeserializer parser = new ContractDeserializer("sales.stages", "sales.visits", "sales.acks",
                Duration.ofHours(1));
        byte[] card = ("{\"event_id\":\"s-0\",\"tenant\":\"weijiang\",\"occurred_at\":\"2099-06-01T09:00:00+08:00\","
                + "\"customer_id\":\"c-0\",\"rep_id\":\"r-1\",\"region\":\"hz-west\",\"team\":\"t-3\",\"stage\":\"contact\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(parser.parse("sales.stages", 0, 0, null, card, 1L).deadLetter).isNotNull();
        InputRecord zero = parser.parse("sales.stages", 0, 0, null, card, 0L);
        assertThat(zero.deadLetter).as("timestamp 0 is a clock at 1970, not 'no timestamp'").isNotNull();
        assertThat(zero.deadLetter.errorCode).isEqualTo("bad_timestamp");
    }
}
