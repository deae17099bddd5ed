package io.salespulse.pipeline.overdue;

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
