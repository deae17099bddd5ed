package io.salespulse.producers.gateway;

import io.salespulse.contract.ImportSession;
import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What {@code sales.imports} holds, for the gateway's and the importer's tests. */
public final class ImportTopic {
    private ImportTopic() {}

    /** The records of one session key ({@code tenant/import_id}), oldest first. */
    public static List<ImportSession> sessions(LocalKafka kafka, String key) throws Exception {
        List<ImportSession> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(Topics.IMPORTS)) {
            if (key.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                out.add(ImportSession.parse(key, r.value(), r.timestamp()));
            }
        }
        return out;
    }
}
