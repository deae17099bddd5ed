package io.salespulse.pipeline.receivables;

import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The words of a {@code receivable_overdue} alert, for the finance group and the rep's manager who read it in
 * WeCom: which invoice, how much is still open, how late, and what to do today. Everything but {@code emittedAt}
 * is a function of the invoice and the payments received by its fired_at.
 */
final class ReceivableText {
    static final String TYPE = "receivable_overdue";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("M月d日 HH:mm", Locale.CHINA);

    private ReceivableText() {}

    static Alert alert(Receivable r, Duration grace, ZoneId zone, long now) {
        double paid = r.paidBy(r.alertFiredAt);
        double open = r.amount - paid;
        long daysLate = Duration.ofMillis(r.alertFiredAt - r.dueAt).toDays();
        Alert a = base(r);
        a.alertId = AlertIds.receivableOverdue(r.tenant, r.invoiceId);
        a.type = TYPE;
        a.dueAt = r.alertFiredAt;
        a.firedAt = r.alertFiredAt;
        a.emittedAt = now;
        a.origin = r.alertHistory ? Alert.HISTORY : Alert.LIVE;
        a.title = "【回款逾期】客户 " + r.customerId + " 发票 " + r.invoiceId + " 未收 " + yuan(open) + "，逾期 " + daysLate
                + " 天";
        StringBuilder m = new StringBuilder();
        m.append("销售 ").append(r.repId).append("（").append(r.region).append(" / ").append(r.team)
                .append("）负责的客户 ").append(r.customerId).append(" 合同 ").append(r.contractId).append(" 的发票 ")
                .append(r.invoiceId).append("（").append(yuan(r.amount)).append("）应于 ")
                .append(WHEN.format(Instant.ofEpochMilli(r.dueAt).atZone(zone))).append(" 前付清");
        if (paid > 0) {
            m.append("，已收 ").append(yuan(paid)).append("（部分付款）");
        } else {
            m.append("，至今未收到任何款项");
        }
        m.append("；宽限 ").append(grace.toDays() > 0 && grace.toHours() % 24 == 0 ? grace.toDays() + " 天"
                : grace.toHours() + " 小时").append("后仍未收 ").append(yuan(open)).append("。");
        a.message = m.toString();
        a.suggestion = "请 " + r.repId + " 今天联系客户 " + r.customerId + " 的财务负责人，确认发票 " + r.invoiceId
                + (paid > 0 ? " 余款 " : " 全款 ") + yuan(open) + " 的付款日期并取得书面承诺（或付款凭证）；财务今天核对到账情况，"
                + "若约定日仍未到账，由区域经理陪同上门催收，并暂停该客户新的赊销发货。";
        return a;
    }

    /** Withdraws the alert: a payment received by its fired_at arrived after it went out. */
    static Alert retraction(Receivable r, long arrivedAt, ZoneId zone, long now) {
        String original = AlertIds.receivableOverdue(r.tenant, r.invoiceId);
        Alert a = base(r);
        a.alertId = Alert.retractionId(original);
        a.type = Alert.RETRACTION;
        a.retracts = original;
        a.dueAt = r.alertFiredAt;
        a.firedAt = arrivedAt;
        a.emittedAt = now;
        a.origin = r.alertHistory ? Alert.HISTORY : Alert.LIVE;
        a.title = "【预警撤回】客户 " + r.customerId + " 发票 " + r.invoiceId + " 回款逾期预警撤回";
        a.message = "客户 " + r.customerId + " 的发票 " + r.invoiceId + "（" + yuan(r.amount) + "）在 "
                + WHEN.format(Instant.ofEpochMilli(r.alertFiredAt).atZone(zone)) + " 前已收到 "
                + yuan(r.paidBy(r.alertFiredAt)) + "，已按时付清（到账记录 "
                + WHEN.format(Instant.ofEpochMilli(arrivedAt).atZone(zone)) + " 才同步）。此前的回款逾期预警作废。";
        a.suggestion = "无需催收；已安排的客户沟通可照常进行。";
        return a;
    }

    private static Alert base(Receivable r) {
        Alert a = new Alert();
        a.severity = "normal";
        a.tenant = r.tenant;
        a.region = r.region;
        a.team = r.team;
        a.repId = r.repId;
        a.customerId = r.customerId;
        a.stage = "";
        return a;
    }

    static String yuan(double amount) {
        return String.format(Locale.ROOT, "¥%,.0f", amount);
    }
}
