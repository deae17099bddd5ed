package io.salespulse.notifier.wecom;

import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.page.AlertLinks;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The WeCom markdown people read. A message is head (what, who, when) + body (the pipeline's free text)
 * + tail (the ack links). When it is over {@link #MAX_MARKDOWN_BYTES}, the body is cut first (ending in
 * "…（内容过长已截断）"), so the links always survive; only a pathological head is cut as well.
 */
public final class WeComMessages {
    /** WeCom rejects longer markdown content with 40058. */
    public static final int MAX_MARKDOWN_BYTES = 4096;
    static final String CUT = "…（内容过长已截断）";
    private static final Map<String, String> TYPES = Map.of(
            "stage_overdue", "阶段超时", "escalation", "升级提醒", "funnel_drop", "漏斗下滑", "coaching", "辅导建议",
            "retraction", "预警撤回", "funnel_recovery", "转化回升", "receivable_overdue", "回款逾期");
    private static final Map<String, String> STAGES = Map.of(
            "contact", "客户接触", "needs", "需求确认", "proposal", "方案呈现", "objection", "异议处理", "closing", "成交推动");
    private static final List<String> LEVEL_NAMES = List.of("团队", "区域经理", "总监");
    /** Most severe first, then oldest first: the order of digests and of a backlog. */
    public static final Comparator<NotifierAlert> MOST_SEVERE_FIRST =
            Comparator.comparing((NotifierAlert a) -> a.high() ? 0 : 1).thenComparing(NotifierAlert::firedAt)
                    .thenComparing(NotifierAlert::alertId);

    private final ZoneId zone;
    private final DateTimeFormatter when;
    private final AlertLinks links;
    private final String workQueueUrl;

    public WeComMessages(ZoneId zone, AlertLinks links, String workQueueUrl) {
        this.zone = zone;
        this.when = DateTimeFormatter.ofPattern("M月d日 HH:mm").withZone(zone);
        this.links = links;
        this.workQueueUrl = workQueueUrl;
    }

    /**
     * One alert as markdown for the group of {@code route}; {@code wecomUser} adds a {@code <@userid>} mention of the
     * owner. The link opens the alert page, signed for the person the message addresses: the rep (their WeCom userid
     * when known) on a team alert; on an escalation the group it goes to ({@code group:<route>}), never the rep, so a
     * manager's click is not recorded as the rep's. A retraction has its own shape ({@link #retraction}).
     */
    public String single(NotifierAlert a, Optional<String> wecomUser, String route, Instant now) {
        return single(a, wecomUser, route, now, Optional.empty());
    }

    /** As above; {@code actionDue}: the deadline of the action the alert asks for, shown under its head. */
    public String single(NotifierAlert a, Optional<String> wecomUser, String route, Instant now,
            Optional<Instant> actionDue) {
        if (a.isRetraction()) {
            return retraction(a);
        }
        StringBuilder head = new StringBuilder();
        head.append("## ").append(a.high() ? "<font color=\"warning\">【紧急】</font>" : "").append(oneLine(a.title())).append('\n');
        head.append("> 类型：").append(TYPES.getOrDefault(a.type(), a.type()))
                .append("　级别：").append(a.high() ? "<font color=\"warning\">高</font>" : "普通");
        if (a.escalationLevel() > 0) {
            head.append("　已升级至：").append(LEVEL_NAMES.get(a.escalationLevel()));
        }
        head.append('\n');
        who(head, a, wecomUser);
        if (a.dueAt() != null) {
            head.append("> 应完成：").append(when.format(a.dueAt()));
            Duration late = Duration.between(a.dueAt(), now);
            if (!late.isNegative() && !late.isZero()) {
                head.append("（<font color=\"warning\">已超时 ").append(human(late)).append("</font>）");
            }
            head.append('\n');
        } else {
            head.append("> 触发时间：").append(when.format(a.firedAt())).append('\n');
        }
        actionDue.ifPresent(due -> head.append("> <font color=\"warning\">完成期限：").append(when.format(due))
                .append("</font>（完成后在预警页点“标记已解决”，逾期未完成将升级）\n"));
        String body = body(a);
        String tail = "\n[👉 打开预警，确认处理 / 标记已解决 / 暂停提醒](" + pageUrl(a, wecomUser, route, now) + ")";
        return fit(head.toString(), body, tail);
    }

    /**
     * A retraction: the pipeline's title, text and suggestion (they say which card was uploaded late and that
     * nothing is needed), who and where as in the alert it withdraws, and that alert's id. No severity, no
     * lateness, no mention and no ack links: there is nothing to do.
     */
    String retraction(NotifierAlert a) {
        StringBuilder head = new StringBuilder();
        head.append("## <font color=\"info\">").append(oneLine(a.title())).append("</font>\n");
        head.append("> 类型：").append(TYPES.get(a.type())).append('\n');
        who(head, a, Optional.empty());
        String tail = "\n<font color=\"comment\">撤回的预警：" + a.retracts() + "</font>";
        return fit(head.toString(), body(a), tail);
    }

    /** The customer, rep (with the mention), region/team and stage lines of a message's head. */
    private static void who(StringBuilder head, NotifierAlert a, Optional<String> wecomUser) {
        head.append("> 客户：").append(orDash(a.customerId()))
                .append("　销售：").append(orDash(a.repId()));
        wecomUser.ifPresent(u -> head.append(" <@").append(u).append('>'));
        head.append('\n');
        head.append("> 区域/团队：").append(orDash(a.region())).append(" / ").append(orDash(a.team())).append('\n');
        if (a.stage() != null) {
            head.append("> 阶段：").append(STAGES.getOrDefault(a.stage(), a.stage())).append('\n');
        }
    }

    /** The pipeline's free text: message and suggestion. */
    private static String body(NotifierAlert a) {
        StringBuilder body = new StringBuilder();
        if (a.message() != null) {
            body.append('\n').append(a.message()).append('\n');
        }
        if (a.suggestion() != null) {
            body.append("\n**建议**：").append(a.suggestion()).append('\n');
        }
        return body.toString();
    }

    /**
     * One message for a backlog: the count, most severe first, as many lines as fit, and the work-queue
     * link. The count line is what readers (and tests) rely on: {@code 共 N 条}.
     */
    public String digest(String route, List<NotifierAlert> alerts) {
        long high = alerts.stream().filter(NotifierAlert::high).count();
        String head = "## 【预警汇总】共 " + alerts.size() + " 条待处理预警\n"
                + "> 其中高潜/紧急 <font color=\"warning\">" + high + "</font> 条；消息过多已合并，按紧急程度排序\n\n";
        return list(head, alerts, a -> "");
    }

    /**
     * One message for what was held and is still open: the night's alerts at the opening ({@code quiet_hours}), the
     * alerts an inhibition grouped ({@code inhibited}), or those a silence kept back ({@code silenced}). Each line
     * links to its alert page, for the rep the alert is about (or the group, for escalations).
     */
    public String held(String route, String reason, List<NotifierAlert> alerts, Instant now) {
        long high = alerts.stream().filter(NotifierAlert::high).count();
        String title = switch (reason) {
            case "quiet_hours" -> "## 【早间汇总】非工作时间新增 " + alerts.size() + " 条预警\n";
            case "inhibited" -> "## 【合并通知】" + alerts.size() + " 条相关预警（所在区域该阶段转化下降期间，已合并发送）\n";
            default -> "## 【暂停结束】" + alerts.size() + " 条预警在暂停期间产生，仍未处理\n";
        };
        String head = title + "> 其中高潜/紧急 <font color=\"warning\">" + high + "</font> 条，按紧急程度排序\n\n";
        return list(head, alerts, a -> " [处理](" + pageUrl(a, Optional.empty(), route, now) + ")");
    }

    private String list(String head, List<NotifierAlert> alerts, java.util.function.Function<NotifierAlert, String> link) {
        List<NotifierAlert> sorted = alerts.stream().sorted(MOST_SEVERE_FIRST).toList();
        String tail = "\n[👉 打开工作台逐条处理](" + workQueueUrl + ")";
        StringBuilder lines = new StringBuilder();
        int budget = MAX_MARKDOWN_BYTES - Utf8.bytes(head) - Utf8.bytes(tail) - 64;
        int shown = 0;
        for (NotifierAlert a : sorted) {
            String line = (shown + 1) + ". " + (a.high() ? "【高】" : "") + oneLine(a.title())
                    + "（" + orDash(a.region()) + "/" + orDash(a.team()) + "，" + orDash(a.repId()) + "）"
                    + link.apply(a) + "\n";
            if (Utf8.bytes(lines.toString()) + Utf8.bytes(line) > budget) {
                break;
            }
            lines.append(line);
            shown++;
        }
        if (shown < sorted.size()) {
            lines.append("…另有 ").append(sorted.size() - shown).append(" 条，见工作台\n");
        }
        return fit(head, lines.toString(), tail);
    }

    /** The alert page's link for whoever this message addresses (see {@link #single}). */
    String pageUrl(NotifierAlert a, Optional<String> wecomUser, String route, Instant now) {
        return links.url(a.originAlertId(), recipient(a, wecomUser, route), now);
    }

    static String recipient(NotifierAlert a, Optional<String> wecomUser, String route) {
        if (a.escalationLevel() > 0) {
            return "group:" + route;
        }
        return wecomUser.orElse(a.repId() == null ? "group:" + route : a.repId());
    }

    static String fit(String head, String body, String tail) {
        String all = head + body + tail;
        if (Utf8.bytes(all) <= MAX_MARKDOWN_BYTES) {
            return all;
        }
        int room = MAX_MARKDOWN_BYTES - Utf8.bytes(head) - Utf8.bytes(tail) - Utf8.bytes(CUT);
        if (room >= 0) {
            return head + Utf8.prefix(body, room) + CUT + tail;
        }
        // Only a head longer than the whole budget gets here: keep the links, cut the rest.
        return Utf8.prefix(head, MAX_MARKDOWN_BYTES - Utf8.bytes(tail) - Utf8.bytes(CUT)) + CUT + tail;
    }

    static String human(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 1) {
            return "不到 1 分钟";
        }
        long days = minutes / (24 * 60);
        long hours = minutes / 60 % 24;
        long mins = minutes % 60;
        StringBuilder sb = new StringBuilder();
        if (days > 0) {
            sb.append(days).append(" 天 ");
        }
        if (hours > 0) {
            sb.append(hours).append(" 小时 ");
        }
        if (days == 0 && mins > 0) {
            sb.append(mins).append(" 分钟 ");
        }
        return sb.toString().trim();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    public ZoneId zone() {
        return zone;
    }
}
