package io.salespulse.cli;

import io.salespulse.contract.Topics;
import io.salespulse.localstack.LocalKafka;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the contract's topics on a local broker. */
final class ContractTopics {
    static final List<String> ALL = List.of(Topics.STAGES, Topics.VISITS, Topics.ACKS, Topics.POLICIES,
            Topics.IMPORTS, Topics.ALERTS, Topics.DLQ, Topics.CASH);

    private ContractTopics() {}

    static void create(LocalKafka kafka, int partitions) throws Exception {
        // Policies and import sessions are state (the latest document per key), so their topics are compacted;
        // LocalKafka cannot set configs.
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            for (String topic : List.of(Topics.POLICIES, Topics.IMPORTS)) {
                NewTopic compacted = new NewTopic(topic, partitions, (short) 1)
                        .configs(Map.of("cleanup.policy", "compact"));
                try {
                    admin.createTopics(List.of(compacted)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        kafka.createTopics(partitions, ALL.toArray(String[]::new));
    }

}
