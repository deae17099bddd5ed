package io.salespulse.notifier.page;

import io.salespulse.notifier.page.AlertPageStore.Card;
import io.salespulse.notifier.page.AlertPageStore.PageAlert;
import io.salespulse.notifier.page.AlertPageStore.Response;
import io.salespulse.notifier.page.AlertPageStore.Snooze;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The alert page's HTML: small, no scripts, no outside resources, readable on a phone. */
final class AlertPageHtml {
    static final Map<String, String> TYPES = Map.of("stage_overdue", "阶段超时", "escalation", "升级提醒",
            "funnel_drop", "漏斗下滑", "coaching", "辅导建议", "retraction", "预警撤回", "follow_up", "跟进核实",
            "receivable_overdue", "回款逾期");
    static final Map<String, String> STAGES = Map.of("contact", "客户接触", "needs", "需求确认", "proposal", "方案呈现",
            "objection", "异议处理", "closing", "成交推动");
    static final Map<String, String> OUTCOMES = Map.of("won", "成交", "lost", "流失", "pending", "待定");
    private static final List<String> LEVELS = List.of("团队", "区域经理", "总监");
    private static final String STYLE = "body{font-family:-apple-system,'Noto Sans CJK SC','PingFang SC',sans-serif;"
            + "margin:0;background:#f4f5f7;color:#1f2329;font-size:16px}main{padding:12px;max-width:640px;margin:auto}"
            + ".card{background:#fff;border-radius:10px;padding:12px 14px;margin-bottom:12px}"
            + "h1{font-size:19px;margin:4px 0 8px}h2{font-size:16px;margin:0 0 8px;color:#646a73}"
            + ".badge{display:inline-block;border-radius:4px;padding:1px 6px;font-size:13px;margin-right:6px}"
            + ".high{background:#fde2e2;color:#c0392b}.normal{background:#e8f3ff;color:#1664c0}"
            + "dl{display:grid;grid-template-columns:5.5em 1fr;gap:4px 8px;margin:0}dt{color:#8f959e}dd{margin:0}"
            + "ul{list-style:none;padding:0;margin:0}li{padding:6px 0;border-top:1px solid #eee}li:first-child{border:0}"
            + ".when{color:#8f959e;font-size:14px}"
            + "button{width:100%;font-size:17px;padding:11px;border:0;border-radius:8px;margin-top:8px;color:#fff}"
            + ".ack{background:#1664c0}.resolve{background:#2e9d5b}.snooze{background:#8f959e}"
            + "select{width:100%;font-size:16px;padding:8px;margin-top:12px}"
            + ".ok{background:#e3f6ea;color:#1d6b3d}.warn{background:#fff3e0;color:#8a4b00}"
            + ".err{background:#fde2e2;color:#a02828}.foot{color:#8f959e;font-size:13px}";

    private final DateTimeFormatter when;

    AlertPageHtml(ZoneId zone) {
        this.when = DateTimeFormatter.ofPattern("M月d日 HH:mm").withZone(zone);
    }

    String time(Instant t) {
        return when.format(t);
    }

    /** The page of one alert; {@code result} is the outcome of the POST that led here (shown on top), if any. */
    String page(PageAlert a, List<Card> cards, List<Response> responses, Optional<Snooze> snooze,
            AlertLinks.Link link, String token, Optional<Banner> result, Instant now) {
        StringBuilder b = new StringBuilder(head("预警 · " + a.title()));
        result.ifPresent(r -> b.append("<div id=\"result\" class=\"card ").append(r.ok() ? "ok" : "warn").append("\">")
                .append(r.ok() ? "" : "⚠ ").append(esc(r.text())).append("</div>"));
        b.append("<section class=\"card\"><span class=\"badge ").append("high".equals(a.severity()) ? "high\">紧急" : "normal\">普通")
                .append("</span><span class=\"badge normal\">").append(esc(TYPES.getOrDefault(a.type(), a.type())))
                .append("</span>");
        if (a.escalationLevel() > 0) {
            b.append("<span class=\"badge high\">已升级至").append(LEVELS.get(Math.min(a.escalationLevel(), 2))).append("</span>");
        }
        b.append("<h1 id=\"title\">").append(esc(a.title())).append("</h1><dl>");
        row(b, "客户", a.customerId());
        row(b, "销售", a.repId());
        row(b, "区域/团队", dash(a.region()) + " / " + dash(a.team()));
        if (a.stage() != null) {
            row(b, "阶段", STAGES.getOrDefault(a.stage(), a.stage()));
        }
        if (a.dueAt() != null) {
            Duration late = Duration.between(a.dueAt(), now);
            row(b, "应完成", time(a.dueAt()) + (late.isNegative() || late.isZero() ? "" : "（已超时 " + human(late) + "）"));
        }
        row(b, "触发时间", time(a.firedAt()));
        b.append("</dl>");
        if (a.message() != null) {
            b.append("<p>").append(esc(a.message())).append("</p>");
        }
        if (a.suggestion() != null) {
            b.append("<p><b>建议：</b>").append(esc(a.suggestion())).append("</p>");
        }
        b.append("</section>");

        b.append("<section class=\"card\" id=\"status\"><h2>处理情况</h2>");
        if (a.retracted()) {
            b.append("<p>该预警已撤回（下一张卡是离线提交、后来上传的），无需处理。</p>");
        }
        if (responses.isEmpty() && snooze.isEmpty()) {
            b.append("<p>尚无人处理。</p>");
        }
        for (Response r : responses) {
            b.append("<p>").append(esc(r.responder())).append(" 于 ").append(time(r.at())).append(" ")
                    .append("resolve".equals(r.action()) ? "标记已解决" : "确认处理").append("</p>");
        }
        snooze.ifPresent(s -> b.append("<p>").append(esc(s.author())).append(" 已暂停提醒至 ").append(time(s.endsAt()))
                .append("</p>"));
        b.append("</section>");

        b.append("<form class=\"card\" method=\"post\" action=\"/alert\">");
        hidden(b, "a", link.alertId());
        hidden(b, "to", link.recipient());
        hidden(b, "exp", Long.toString(link.expires().getEpochSecond()));
        hidden(b, "sig", link.signature());
        hidden(b, "token", token);
        b.append("<button id=\"btn-ack\" class=\"ack\" name=\"action\" value=\"ack\">确认处理</button>")
                .append("<button id=\"btn-resolve\" class=\"resolve\" name=\"action\" value=\"resolve\">标记已解决</button>")
                .append("<select id=\"snooze-for\" name=\"snooze_for\" aria-label=\"暂停时长\">")
                .append("<option value=\"2h\">2 小时</option><option value=\"4h\" selected>4 小时</option>")
                .append("<option value=\"1d\">1 天</option><option value=\"3d\">3 天</option></select>")
                .append("<button id=\"btn-snooze\" class=\"snooze\" name=\"action\" value=\"snooze\">暂停提醒</button>")
                .append("</form>");
        b.append("<section class=\"card\"><h2>客户最近的阶段卡</h2><ul id=\"cards\">");
        if (cards.isEmpty()) {
            b.append("<li>暂无记录</li>");
        }
        for (Card c : cards) {
            b.append("<li><b>").append(esc(STAGES.getOrDefault(c.stage(), c.stage()))).append("</b> <span class=\"when\">")
                    .append(time(c.occurredAt())).append(" · ").append(esc(c.repId())).append("</span>");
            if (c.objectionTag() != null) {
                b.append("<br>异议：").append(esc(c.objectionTag()));
            }
            if (c.outcome() != null) {
                b.append("<br>结果：").append(esc(OUTCOMES.getOrDefault(c.outcome(), c.outcome())));
            }
            if (c.dealValue() != null) {
                b.append("<br>预计金额：¥").append(String.format("%,.0f", c.dealValue()));
            }
            b.append("</li>");
        }
        b.append("</ul></section>");

        b.append("<p class=\"foot\">此链接发给 <span id=\"recipient\">").append(esc(link.recipient()))
                .append("</span>，有效至 ").append(time(link.expires())).append("。请勿转发。</p>");
        return b.append("</main></body></html>").toString();
    }

    /** A page that only says what went wrong (or right) and records nothing further. */
    String message(boolean ok, String heading, String text) {
        return head("SalesPulse") + "<div id=\"" + (ok ? "result" : "error") + "\" class=\"card " + (ok ? "ok" : "err")
                + "\"><h1>" + (ok ? "" : "⚠ ") + esc(heading) + "</h1><p>" + esc(text) + "</p></div></main></body></html>";
    }

    record Banner(boolean ok, String text) {}

    private static String head(String title) {
        return "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<meta name=\"robots\" content=\"noindex,nofollow\"><title>" + esc(title) + "</title><style>" + STYLE
                + "</style></head><body><main>";
    }

    private static void row(StringBuilder b, String label, String value) {
        b.append("<dt>").append(label).append("</dt><dd>").append(esc(dash(value))).append("</dd>");
    }

    private static void hidden(StringBuilder b, String name, String value) {
        b.append("<input type=\"hidden\" name=\"").append(name).append("\" value=\"").append(esc(value)).append("\">");
    }

    static String human(Duration d) {
        long minutes = d.toMinutes();
        if (minutes < 60) {
            return Math.max(minutes, 1) + " 分钟";
        }
        long hours = minutes / 60;
        return hours < 48 ? hours + " 小时" : hours / 24 + " 天 " + hours % 24 + " 小时";
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
