package io.salespulse.pipeline.testing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes a scripted history to Kafka as the field app would: contract JSON, key = customer_id. */
public final class History implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private int sequence;

    public History(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A stage card; {@code extra} is appended inside the JSON object, e.g. {@code "need":"x"}. */
    public String card(String customer, String stage, long at, String extra) {
        String id = "s-" + (++sequence);
        send("sales.stages", customer, at, "{\"event_id\":\"" + id + "\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                + iso(at) + "\",\"customer_id\":\"" + customer + "\",\"rep_id\":\"r-017\",\"region\":\"hz-west\","
                + "\"team\":\"t-3\",\"stage\":\"" + stage + "\"" + (extra.isEmpty() ? "" : "," + extra) + "}");
        return id;
    }

    public String visit(String customer, long at) {
        String id = "v-" + (++sequence);
        send("sales.visits", customer, at, "{\"event_id\":\"" + id + "\",\"tenant\":\"weijiang\",\"occurred_at\":\""
                + iso(at) + "\",\"rep_id\":\"r-017\",\"customer_id\":\"" + customer + "\",\"store_id\":\"s-12\","
                + "\"region\":\"hz-west\",\"team\":\"t-3\",\"channel\":\"store_scan\",\"lat\":30.27,\"lon\":120.15}");
        return id;
    }

    public void ack(String alertId, long at) {
        send("sales.acks", alertId, at, "{\"event_id\":\"a-" + (++sequence) + "\",\"tenant\":\"weijiang\","
                + "\"occurred_at\":\"" + iso(at) + "\",\"alert_id\":\"" + alertId + "\",\"responder\":\"u-chen\","
                + "\"action\":\"ack\"}");
    }

    /** Record timestamp = occurred_at, as when old history is loaded (a replay). */
    public void send(String topic, String key, long timestamp, String value) {
        send(topic, key, timestamp, value.getBytes(StandardCharsets.UTF_8));
    }

    public void send(String topic, String key, Long timestamp, byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    }

    public void flush() {
        producer.flush();
    }

    /** Shanghai local time with offset, as the app sends it. */
    public static String iso(long millis) {
        return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                Instant.ofEpochMilli(millis).atOffset(ZoneOffset.ofHours(8)));
    }

    @Override
    public void close() {
        producer.close();
    }
}
