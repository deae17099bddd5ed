package io.salespulse.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import io.salespulse.pipeline.clickhouse.ClickHouseClients.Endpoint;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sink's client is built from the JDBC URL as the JDBC driver reads it. */
class ClickHouseClientsTest {

    @Test
    void readsTheDefaultUrl() {
        assertEndpoint("jdbc:clickhouse://127.0.0.1:8123/default?compress=0",
                "http://127.0.0.1:8123", "default", Map.of("compress", "0"));
    }

    @Test
    void defaultsPortAndDatabaseAndFollowsHttps() {
        assertEndpoint("jdbc:clickhouse://ch", "http://ch:8123", "default", Map.of());
        assertEndpoint("jdbc:ch:https://ch.example/sales%20db", "https://ch.example:8443", "sales db", Map.of());
        assertEndpoint("jdbc:clickhouse://ch:9443/salespulse?ssl=true&socket_timeout=30000",
                "https://ch:9443", "salespulse", Map.of("socket_timeout", "30000"));
    }

    @Test
    void keepsAProxyPathAndLeavesTheJdbcDriversOwnOptionsOut() {
        assertEndpoint("jdbc:clickhouse:http://proxy:80/clickhouse/analytics"
                + "?jdbc_resultset_auto_close=true&max_execution_time=60",
                "http://proxy:80/clickhouse", "analytics", Map.of("max_execution_time", "60"));
        try (Client client = ClickHouseClients.open("jdbc:clickhouse://proxy:80/analytics"
                + "?jdbc_resultset_auto_close=true&compress=0", "default", "")) {
            assertThat(client).as("a JDBC-only option is not refused by the client").isNotNull();
        }
    }

    @Test
    void refusesOtherUrlsWithoutShowingTheirOptions() {
        assertThatThrownBy(() -> Endpoint.parse("http://ch:8123/default?password=s3cret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Not a ClickHouse JDBC URL")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> Endpoint.parse("jdbc:clickhouse://a:8123,b:8123/default?password=s3cret"))
                .hasMessageContaining("one host")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> Endpoint.parse("jdbc:clickhouse://ch:8123/default?password=s3cret&bad key=1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("s3cret");
    }

    private static void assertEndpoint(String jdbcUrl, String url, String database, Map<String, String> options) {
        Endpoint e = Endpoint.parse(jdbcUrl);
        assertThat(e.url()).isEqualTo(url);
        assertThat(e.database()).isEqualTo(database);
        assertThat(e.options()).isEqualTo(options);
    }
}
