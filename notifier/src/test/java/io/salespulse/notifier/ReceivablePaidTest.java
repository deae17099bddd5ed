package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.wecom.WeComStub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Overdue receivables with the real notifier, broker, ClickHouse engine and WeCom stand-in: both go to the finance
 * route; the one whose invoice is then paid in full (late) stops there, the unpaid one escalates to the region.
 */
class ReceivablePaidTest extends SharedStackTest {

    @Test
    void aReceivablePaidInFullDoesNotEscalate() throws Exception {
        ManualTime time = new ManualTime(Instant.parse("2033-05-02T01:00:00Z"));
        String finance = "key-rp-finance-" + Long.toHexString(System.nanoTime());
        String region = "key-rp-region-" + Long.toHexString(System.nanoTime());
        Map<String, String> env = Map.of("SALESPULSE_WECOM_KEY_FINANCE", finance, "SALESPULSE_WECOM_KEY_REGION", region);
        try (WeComStub stub = WeComStub.start("127.0.0.1", 0, Set.of(finance, region), time)) {
            Path routes = stack.writeRoutes("receivables", """
                    default_route: finance
                    routes: {finance: {}, region: {}}
                    rules:
                      - match: {type: receivable_overdue}
                        routes: [finance]
                      - match: {level: region}
                        routes: [region]
                    escalation:
                      window: 4h
                    """);
            NotifierConfig config = stack.config("receivables", stub.url(), routes, Map.of());
            NotifierAlert paid = receivable("inv-rp-paid", time.now());
            NotifierAlert unpaid = receivable("inv-rp-unpaid", time.now());
            stack.produce(config.topicAlerts, List.of(paid, unpaid), time.now());
            try (WeComNotifier n = WeComNotifier.start(config, NotifierTestStack.routing(routes, env), time,
                    RobotDispatcher.PostObserver.NONE)) {
                await("both told to finance", Duration.ofSeconds(30), () -> stub.received(finance).size() == 2);
                assertThat(stub.received(finance).get(0).content()).contains("类型：回款逾期");
                stack.awaitDelivered(paid.alertId());
                stack.awaitDelivered(unpaid.alertId());
                for (String invoice : List.of("inv-rp-paid", "inv-rp-unpaid")) {
                    stack.execute("INSERT INTO salespulse.invoices (event_id, tenant, occurred_at, invoice_id, contract_id,"
                            + " customer_id, rep_id, region, team, amount, due_at, import_id, ingested_at) VALUES ('k-"
                            + invoice + "', 'weijiang', '2033-03-01 02:00:00', '" + invoice + "', 'ct-rp', 'c-rp', 'r-007',"
                            + " 'hz-west', 't-3', 12000, '2033-04-28 02:00:00', '', now64(3))");
                }
                // Paid in two parts, the second after the alert: the invoice is settled, nobody needs to chase it.
                for (String part : List.of("1", "2")) {
                    stack.execute("INSERT INTO salespulse.payments (event_id, tenant, occurred_at, invoice_id, contract_id,"
                            + " customer_id, rep_id, region, team, amount, import_id, ingested_at) VALUES ('k-rp-p" + part
                            + "', 'weijiang', '2033-05-02 03:00:00', 'inv-rp-paid', 'ct-rp', 'c-rp', 'r-007', 'hz-west',"
                            + " 't-3', 6000, '', now64(3))");
                }
                stack.execute("INSERT INTO salespulse.payments (event_id, tenant, occurred_at, invoice_id, contract_id,"
                        + " customer_id, rep_id, region, team, amount, import_id, ingested_at) VALUES ('k-rp-p3',"
                        + " 'weijiang', '2033-05-02 03:00:00', 'inv-rp-unpaid', 'ct-rp', 'c-rp', 'r-007', 'hz-west', 't-3',"
                        + " 11000, '', now64(3))");

                time.advance(Duration.ofHours(4).plusMinutes(1));
                await("the unpaid one escalated to the region", Duration.ofSeconds(30),
                        () -> stub.received(region).size() == 1);
                time.advance(Duration.ofMinutes(10));
                Thread.sleep(1500);
                assertThat(n.failure()).isNull();
            }
            assertThat(stub.received(region)).hasSize(1);
            assertThat(stub.received(region).get(0).content()).contains("inv-rp-unpaid").doesNotContain("inv-rp-paid");
        }
    }

    private static NotifierAlert receivable(String invoice, Instant firedAt) {
        String id = "receivable_overdue:weijiang:" + invoice;
        return new NotifierAlert(id, "receivable_overdue", "normal", "weijiang", "hz-west", "t-3", "r-007", "c-rp",
                null, firedAt, firedAt, "【回款逾期】客户 c-rp 发票 " + invoice + " 未收 ¥12,000，逾期 3 天",
                "销售 r-007 负责的客户 c-rp 的发票 " + invoice + " 应于 4月28日 前付清，至今未收到任何款项。",
                "请 r-007 今天联系客户 c-rp 的财务负责人，确认付款日期。", 0, id);
    }
}
