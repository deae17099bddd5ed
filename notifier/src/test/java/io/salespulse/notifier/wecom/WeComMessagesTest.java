package io.salespulse.notifier.wecom;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.page.AlertLinks;
import java.net.URLDecoder;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WeComMessagesTest {
    private static final Instant DUE = Instant.parse("2026-11-26T09:33:00Z");
    private static final String SECRET = "messages-test-secret-0123456789abcdef";
    private final AlertLinks links = new AlertLinks(SECRET, "https://sp.example/n", Duration.ofDays(7));
    private final WeComMessages messages = new WeComMessages(ZoneId.of("Asia/Shanghai"), links,
            "https://grafana.example/d/queue");

    private static NotifierAlert alert(String id, String severity, String message) {
        return new NotifierAlert(id, "stage_overdue", severity, "weijiang", "hz-west", "t-3", "r-003", "c-00058", "needs",
                DUE, DUE, "【高潜客户待激活】客户 c-00058 「需求确认」后超时未推进", message, "建议区域经理今天陪同 r-003 跟进。", 0, id);
    }

    @Test
    void singleAlertSaysWhatWhoHowLateAndLinksThePageSignedForTheOwner() {
        Instant now = DUE.plus(Duration.ofHours(5).plusMinutes(12));
        String md = messages.single(alert("stage_overdue:weijiang:c-00058:needs:2026-11-26T09:33:00Z", "high", "客户转为待激活。"),
                Optional.of("zhangsan"), "hz-west-team", now);
        assertThat(md).contains("## <font color=\"warning\">【紧急】</font>【高潜客户待激活】")
                .contains("客户：c-00058", "销售：r-003 <@zhangsan>", "hz-west / t-3", "应完成：11月26日 17:33",
                        "已超时 5 小时 12 分钟", "**建议**：建议区域经理")
                .contains("https://sp.example/n/alert?a=stage_overdue%3Aweijiang%3Ac-00058%3Aneeds%3A2026-11-26T09%3A33%3A00Z"
                        + "&to=zhangsan&exp=" + now.plus(Duration.ofDays(7)).getEpochSecond() + "&sig=")
                .doesNotContain("/ack?");
        Matcher m = Pattern.compile("/alert\\?(a=[^)]*)\\)").matcher(md);
        assertThat(m.find()).isTrue();
        Map<String, String> p = new HashMap<>();
        for (String kv : m.group(1).split("&")) {
            p.put(kv.substring(0, kv.indexOf('=')), URLDecoder.decode(kv.substring(kv.indexOf('=') + 1), StandardCharsets.UTF_8));
        }
        assertThat(links.verify(p, now).check()).isEqualTo(AlertLinks.Check.VALID);
    }

    @Test
    void anOverdueReceivableSaysItsTypeAndHasNoStage() throws Exception {
        String json = "{\"alert_id\":\"receivable_overdue:weijiang:inv-0042-1\",\"type\":\"receivable_overdue\","
                + "\"severity\":\"normal\",\"tenant\":\"weijiang\",\"region\":\"hz-west\",\"team\":\"t-3\","
                + "\"rep_id\":\"r-003\",\"customer_id\":\"c-00042\",\"stage\":\"\",\"due_at\":\"" + DUE + "\","
                + "\"fired_at\":\"" + DUE + "\",\"emitted_at\":\"" + DUE + "\","
                + "\"title\":\"【回款逾期】客户 c-00042 发票 inv-0042-1 未收 ¥12,000，逾期 3 天\",\"message\":\"m\","
                + "\"suggestion\":\"请 r-003 今天联系客户\",\"origin\":\"live\"}";
        NotifierAlert a = NotifierAlert.parse(json.getBytes(StandardCharsets.UTF_8));
        String md = messages.single(a, Optional.empty(), "finance", DUE.plus(Duration.ofHours(1)));
        assertThat(md).contains("【回款逾期】客户 c-00042", "类型：回款逾期", "客户：c-00042", "**建议**：请 r-003")
                .doesNotContain("阶段：");
    }

    @Test
    void anEscalationLinksThePageForItsOwnGroupNotTheRep() {
        NotifierAlert a = alert("a-9", "high", "m");
        NotifierAlert level1 = new NotifierAlert("escalation:a-9:1", "escalation", "high", a.tenant(), a.region(), a.team(),
                a.repId(), a.customerId(), null, null, DUE.plus(Duration.ofHours(4)), "【升级至区域经理】x", "m", "s", 1, "a-9");
        String md = messages.single(level1, Optional.of("zhangsan"), "hz-west-managers", DUE.plus(Duration.ofHours(4)));
        assertThat(md).contains("/alert?a=a-9&to=group%3Ahz-west-managers&exp=").doesNotContain("to=zhangsan")
                .doesNotContain("to=r-003");
    }

    @Test
    void longMessageIsCutOnACharacterBoundaryAndKeepsTheLinks() throws Exception {
        for (int pad = 0; pad < 4; pad++) {
            String text = "x".repeat(pad) + "客户拜访记录😀".repeat(800);
            String md = messages.single(alert("a-1", "normal", text), Optional.empty(), "hz", DUE);
            byte[] bytes = md.getBytes(StandardCharsets.UTF_8);
            assertThat(bytes.length).isLessThanOrEqualTo(WeComMessages.MAX_MARKDOWN_BYTES).isGreaterThan(4000);
            // Strict decoding fails if a character was cut in half.
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            assertThat(md).contains(WeComMessages.CUT).contains("/alert?a=a-1&to=r-003&exp=").endsWith(")");
        }
    }

    @Test
    void digestCountsEverythingMostSevereFirstWithinTheLimit() {
        List<NotifierAlert> alerts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            alerts.add(alert("a-" + i, i == 250 ? "high" : "normal", "m"));
        }
        String md = messages.digest("hz", alerts);
        assertThat(md.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WeComMessages.MAX_MARKDOWN_BYTES);
        assertThat(md).contains("共 300 条待处理预警", "其中高潜/紧急 <font color=\"warning\">1</font> 条",
                "https://grafana.example/d/queue").containsPattern("另有 \\d+ 条");
        assertThat(md.indexOf("1. 【高】")).isPositive();
    }

    @Test
    void retractionSaysWhatWasWithdrawnWithoutLatenessMentionOrAckLinks() {
        String original = "stage_overdue:weijiang:c-00058:needs:2026-11-26T09:33:00Z";
        NotifierAlert retraction = new NotifierAlert("retraction:" + original, "retraction", "high", "weijiang", "hz-west",
                "t-3", "r-003", "c-00058", "needs", DUE, DUE.plus(Duration.ofHours(2)),
                "【预警撤回】客户 c-00058 「需求确认」超时预警撤回", "「方案呈现」卡于 11月26日 17:20 提交（离线记录，19:33 才上传）。",
                "无需处理；已安排的跟进可照常进行。", 0, original, "live", original);
        String md = messages.single(retraction, Optional.of("zhangsan"), "hz", DUE.plus(Duration.ofHours(5)));
        assertThat(md).startsWith("## <font color=\"info\">【预警撤回】客户 c-00058 「需求确认」超时预警撤回</font>")
                .contains("类型：预警撤回", "客户：c-00058", "销售：r-003", "hz-west / t-3", "阶段：需求确认",
                        "离线记录，19:33 才上传", "**建议**：无需处理", "撤回的预警：" + original)
                .doesNotContain("<@zhangsan>").doesNotContain("已超时").doesNotContain("紧急").doesNotContain("/ack?");
    }

    @Test
    void prefixNeverSplitsACharacter() {
        assertThat(Utf8.prefix("价格😀", 3)).isEqualTo("价");
        assertThat(Utf8.prefix("价格😀", 8)).isEqualTo("价格");
        assertThat(Utf8.prefix("价格😀", 10)).isEqualTo("价格😀");
    }
}
