package io.salespulse.pipeline.overdue;

import io.salespulse.contract.Alert;
import io.salespulse.contract.AlertIds;
import io.salespulse.contract.Durations;
import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Stage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The words of a {@code stage_overdue} alert, written for the region manager who reads it in WeCom:
 * who, which customer, which stage, how late, and one concrete next step.
 */
final class OverdueAlertText {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("M月d日 HH:mm", Locale.CHINA);

    private OverdueAlertText() {}

    /**
     * The alert of a gap: everything but {@code emittedAt} is a function of the cards, so the alert is the same
     * whichever way its cards arrived. The texts speak of the stage as it was when it was entered.
     */
    static Alert alert(CustomerTimeline t, TimelineWalk.Entry e, long firedAt, ZoneId zone, long now) {
        CustomerState s = view(t, e);
        Alert a = new Alert();
        a.alertId = AlertIds.stageOverdue(t.tenant, t.customerId, s.stage, Instant.ofEpochMilli(s.dueAt));
        a.type = "stage_overdue";
        a.severity = s.highPotential ? "high" : "normal";
        a.tenant = t.tenant;
        a.region = s.region;
        a.team = s.team;
        a.repId = s.repId;
        a.customerId = t.customerId;
        a.stage = s.stage;
        a.dueAt = s.dueAt;
        a.firedAt = firedAt;
        a.emittedAt = now;
        a.title = title(s);
        a.message = message(s, Duration.ofMillis(s.slaMillis), zone);
        a.suggestion = suggestion(s);
        return a;
    }

    /**
     * Withdraws alert {@code f}: a card that arrived later shows the customer moved on in time. {@code answer} is
     * that card ({@code entry}, the card that entered the stage, may be gone from the walk).
     */
    static Alert retraction(CustomerTimeline t, AlertFact f, CardFact entry, CardFact answer, ZoneId zone, long now) {
        Stage stage = Stage.fromCode(f.stage).orElseThrow();
        CardFact owner = entry != null ? entry : answer;
        String original = AlertIds.stageOverdue(t.tenant, t.customerId, f.stage, Instant.ofEpochMilli(f.dueAt));
        Alert a = new Alert();
        a.alertId = Alert.retractionId(original);
        a.type = Alert.RETRACTION;
        a.retracts = original;
        a.severity = f.high ? "high" : "normal";
        a.tenant = t.tenant;
        a.region = owner.region;
        a.team = owner.team;
        a.repId = owner.repId;
        a.customerId = t.customerId;
        a.stage = f.stage;
        a.dueAt = f.dueAt;
        a.firedAt = answer.arrivedAt;
        a.emittedAt = now;
        a.origin = f.history ? Alert.HISTORY : Alert.LIVE;
        a.title = "【预警撤回】客户 " + t.customerId + " 「" + stage.label() + "」超时预警撤回";
        StringBuilder m = new StringBuilder();
        m.append("销售 ").append(owner.repId).append("（").append(owner.region).append(" / ").append(owner.team)
                .append("）负责的客户 ").append(t.customerId).append(" 在「").append(stage.label())
                .append("」阶段已按时推进：「").append(Stage.values()[answer.rank].label()).append("」卡于 ")
                .append(WHEN.format(Instant.ofEpochMilli(answer.at).atZone(zone))).append(" 提交");
        if (answer.arrivedAt > f.dueAt) {
            m.append("（离线记录，").append(WHEN.format(Instant.ofEpochMilli(answer.arrivedAt).atZone(zone)))
                    .append(" 才上传）");
        }
        m.append("，未超过 ").append(WHEN.format(Instant.ofEpochMilli(f.dueAt).atZone(zone)))
                .append(" 的时限。此前的待激活预警作废。");
        a.message = m.toString();
        a.suggestion = "无需处理；已安排的跟进可照常进行。";
        return a;
    }

    /** The stage entry as the alert texts read it. */
    private static CustomerState view(CustomerTimeline t, TimelineWalk.Entry e) {
        CardFact c = e.card();
        CustomerState s = new CustomerState();
        s.tenant = t.tenant;
        s.customerId = t.customerId;
        s.repId = c.repId;
        s.region = c.region;
        s.team = c.team;
        s.stage = e.stage().code();
        s.stageEnteredAt = c.at;
        s.dueAt = c.dueAt;
        s.slaMillis = c.slaMillis;
        s.workingTime = c.workingTime;
        s.highPotential = e.highPotential();
        s.dealValue = e.dealValue();
        s.objectionTag = e.objectionTag();
        return s;
    }

    static String title(CustomerState s) {
        return (s.highPotential ? "【高潜客户待激活】" : "【待激活】") + "客户 " + s.customerId + " 「"
                + Stage.fromCode(s.stage).orElseThrow().label() + "」后超时未推进";
    }

    static String message(CustomerState s, Duration sla, ZoneId zone) {
        Stage stage = Stage.fromCode(s.stage).orElseThrow();
        StringBuilder m = new StringBuilder();
        m.append("销售 ").append(s.repId).append("（").append(s.region).append(" / ").append(s.team).append("）负责的");
        if (s.highPotential) {
            m.append("高潜");
        }
        m.append("客户 ").append(s.customerId);
        if (s.dealValue != null && s.dealValue > 0) {
            m.append(String.format(Locale.ROOT, "（预计金额 ¥%,.0f）", s.dealValue));
        }
        m.append(" 于 ").append(WHEN.format(Instant.ofEpochMilli(s.stageEnteredAt).atZone(zone)))
                .append(" 提交了「").append(stage.label()).append("」卡，按 ").append(hours(sla))
                .append(s.workingTime ? "（工作时间）" : "").append(" 时限应在 ").append(WHEN.format(Instant.ofEpochMilli(s.dueAt).atZone(zone)))
                .append(" 前").append(expectedNext(stage)).append("，已超时未提交，客户转为待激活。");
        return m.toString();
    }

    static String suggestion(CustomerState s) {
        Stage stage = Stage.fromCode(s.stage).orElseThrow();
        String who = s.highPotential ? "高潜客户，建议区域经理今天陪同 " + s.repId + " 跟进：" : "请提醒 " + s.repId + " 今天跟进：";
        switch (stage) {
            case CONTACT:
                return who + "电话或上门回访，确认客户需求并提交「需求确认」卡；若客户暂无需求，在卡中记录原因。";
            case NEEDS:
                return who + "按已确认的需求准备方案/SKU 再次拜访，提交「方案呈现」卡；需要支持时申请经理陪访。";
            case PROPOSAL:
                return who + "主动询问客户对方案的顾虑，引用知识库应答卡处理，并提交「异议处理」或「成交推动」卡。";
            case OBJECTION:
                return who + objectionAdvice(s.objectionTag);
            default:
                return who + "确认签约障碍并约定签约日期，必要时申请经理联合拜访推动成交，提交成交结果。";
        }
    }

    private static String objectionAdvice(String tag) {
        ObjectionTag t = tag == null ? null : ObjectionTag.fromCode(tag).orElse(null);
        if (t == null) {
            return "针对客户异议引用知识库应答卡回应，约定下一次沟通时间并提交「成交推动」卡。";
        }
        String prefix = "客户异议为“" + t.label() + "”，";
        switch (t) {
            case PRICE_HIGH:
                return prefix + "引用价格应答卡，讲清总成本、账期与配送服务差异，必要时申请阶梯价后再约沟通。";
            case DELIVERY_TIME:
                return prefix + "给出书面配送时效承诺和备选补货方案（如就近仓发货），再约沟通。";
            case QUALITY_DOUBT:
                return prefix + "提供质检报告或试用装，邀请客户到门店/仓库实地查看。";
            case COMPETITOR_CONTRACT:
                return prefix + "了解现有合同到期时间，提出补充品类或到期切换方案，并约好到期前回访。";
            case PAYMENT_TERMS:
                return prefix + "与财务确认可给的账期选项，带方案回访客户。";
            default:
                return prefix + "约定客户预算周期内的回访时间，保持低频触达，避免客户流失。";
        }
    }

    private static String expectedNext(Stage stage) {
        switch (stage) {
            case CONTACT: return "提交「需求确认」卡";
            case NEEDS: return "提交「方案呈现」卡";
            case PROPOSAL: return "提交「异议处理」或「成交推动」卡";
            case OBJECTION: return "提交「成交推动」卡";
            default: return "提交成交结果（赢单或输单）";
        }
    }

    private static String hours(Duration d) {
        if (d.toMinutes() % 60 == 0) {
            return d.toHours() + " 小时";
        }
        return Durations.format(d);
    }
}
