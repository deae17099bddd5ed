package io.salespulse.pipeline.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.salespulse.contract.EventParser;
import io.salespulse.contract.InvalidEventException;
import io.salespulse.contract.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record of the input topics (stages, visits, acks and cash) into an {@link InputRecord}: a valid event, or a
 * {@link DeadLetter} with the reason. It never throws on data, so a malformed record cannot stop the job.
 */
public final class ContractDeserializer implements KafkaRecordDeserializationSchema<InputRecord> {
    private static final long serialVersionUID = 1L;

    private final String stagesTopic;
    private final String visitsTopic;
    private final String acksTopic;
    private final String cashTopic;
    private final EventParser parser;

    /** For readers of stages, visits and acks only (the funnel job, benchmarks): cash records come from sales.cash. */
    public ContractDeserializer(String stagesTopic, String visitsTopic, String acksTopic, Duration maxFutureSkew) {
        this(stagesTopic, visitsTopic, acksTopic, io.salespulse.contract.Topics.CASH, maxFutureSkew);
    }

    public ContractDeserializer(String stagesTopic, String visitsTopic, String acksTopic, String cashTopic,
            Duration maxFutureSkew) {
        this.stagesTopic = stagesTopic;
        this.visitsTopic = visitsTopic;
        this.acksTopic = acksTopic;
        this.cashTopic = cashTopic;
        this.parser = new EventParser(maxFutureSkew);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<InputRecord> out) {
        out.collect(parse(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                record.timestamp()));
    }

    /** Parses one record; public so that tests and benchmarks can use it without Kafka. */
    public InputRecord parse(String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {
        InputRecord r = InputRecord.of(topic, partition, offset, timestamp);
        try {
            if (topic.equals(stagesTopic)) {
                r.stage = parser.parseStage(value, timestamp);
            } else if (topic.equals(visitsTopic)) {
                r.visit = parser.parseVisit(value, timestamp);
            } else if (topic.equals(acksTopic)) {
                r.ack = parser.parseAck(value, timestamp);
            } else if (topic.equals(cashTopic)) {
                r.cash = parser.parseCash(value, timestamp);
            } else {
                throw new InvalidEventException("unknown_topic", "records from topic " + topic + " are not expected");
            }
        } catch (InvalidEventException e) {
            r.deadLetter = deadLetter(topic, partition, offset, key, value, timestamp, e);
        } catch (RuntimeException e) {
            // A parser bug must not stop the pipeline either: keep the record and say what happened.
            r.deadLetter = deadLetter(topic, partition, offset, key, value, timestamp,
                    new InvalidEventException("internal_error", "could not be processed: " + e));
        }
        return r;
    }

    private static DeadLetter deadLetter(String topic, int partition, long offset, byte[] key, byte[] value,
            long timestamp, InvalidEventException why) {
        DeadLetter d = new DeadLetter();
        d.topic = topic;
        d.partition = partition;
        d.offset = offset;
        d.key = key == null ? null : new String(key, StandardCharsets.UTF_8);
        byte[] bytes = value == null ? new byte[0] : value;
        try {
            d.raw = EventParser.utf8(bytes);
            d.rawEncoding = "utf8";
        } catch (InvalidEventException notText) {
            d.raw = Base64.getEncoder().encodeToString(bytes);
            d.rawEncoding = "base64";
        }
        d.errorCode = why.code();
        d.error = why.getMessage();
        d.tenant = tenantOf(d);
        d.receivedAt = timestamp;
        return d;
    }

    /** Best effort, so that dead letters can be shown per tenant. */
    private static String tenantOf(DeadLetter d) {
        if (!"utf8".equals(d.rawEncoding) || d.raw.length() > EventParser.MAX_RECORD_BYTES) {
            return "";
        }
        try {
            JsonNode n = Json.MAPPER.readTree(d.raw);
            JsonNode t = n == null ? null : n.get("tenant");
            return t != null && t.isTextual() && t.textValue().length() <= EventParser.MAX_ID_LENGTH ? t.textValue() : "";
        } catch (Exception e) {
            return "";
        }
    }

    @Override
    public TypeInformation<InputRecord> getProducedType() {
        return TypeInformation.of(InputRecord.class);
    }
}
