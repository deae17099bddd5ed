package io.salespulse.pipeline.funnel;

import io.salespulse.contract.Alert;
import io.salespulse.contract.ObjectionTag;
import io.salespulse.contract.Stage;
import io.salespulse.pipeline.funnel.ConversionWindow.Gap;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The words and ids of the funnel job's alerts, written for region managers reading WeCom: numbers first,
 * then who, then one concrete next step. Alert ids are deterministic (docs/contract.md).
 */
final class FunnelText {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("M月d日", Locale.CHINA);

    private FunnelText() {}

    /** Knowledge-base answer card and the advice on it, per objection tag. */
    static String answerCard(ObjectionTag tag) {
        return switch (tag) {
            case PRICE_HIGH -> "kb-price-01";
            case DELIVERY_TIME -> "kb-delivery-01";
            case QUALITY_DOUBT -> "kb-quality-01";
            case COMPETITOR_CONTRACT -> "kb-competitor-01";
            case PAYMENT_TERMS -> "kb-payment-01";
            case NO_BUDGET -> "kb-budget-01";
        };
    }

    static String answerAdvice(ObjectionTag tag) {
        return switch (tag) {
            case PRICE_HIGH -> "先算总成本：账期、配送频次和损耗率加在一起比单价更有说服力，可申请阶梯价作为最后一步";
            case DELIVERY_TIME -> "给出书面配送时效承诺和就近仓补货方案，约定首单试配送";
            case QUALITY_DOUBT -> "带质检报告和试用装，邀请客户到门店或仓库实地查看";
            case COMPETITOR_CONTRACT -> "问清现有合同到期时间，先切入对方没有的补充品类，到期前一个月回访";
            case PAYMENT_TERMS -> "先与财务确认可给的账期选项，带具体方案回访，不在现场临时承诺";
            case NO_BUDGET -> "约定客户下个预算周期的回访时间，期间低频触达，保持关系";
        };
    }

    static String pct(double rate) {
        return Math.round(rate * 100) + "%";
    }

    static Alert repeatedObjection(String tenant, String customerId, CardRef nth, int n, ZoneId zone) {
        ObjectionTag tag = ObjectionTag.fromCode(nth.objectionTag).orElseThrow();
        Alert a = base("coaching:repeated_objection:" + tenant + ":" + customerId + ":" + tag.code() + ":"
                + Instant.ofEpochMilli(nth.at), "coaching", tenant, nth.region, nth.team, nth.at, 0);
        a.severity = nth.highPotential ? "high" : "normal";
        a.repId = nth.rep;
        a.customerId = customerId;
        a.stage = Stage.OBJECTION.code();
        a.title = "【辅导】" + nth.rep + " 在客户 " + customerId + " 上连续 " + n + " 次记录“" + tag.label() + "”异议";
        a.message = "销售 " + nth.rep + "（" + nth.region + " / " + nth.team + "）截至 "
                + DAY.format(Instant.ofEpochMilli(nth.at).atZone(zone)) + " 已在客户 " + customerId + " 的同一商机中 " + n
                + " 次在「异议处理」卡上选择“" + tag.label() + "”，客户仍未推进到成交，说明现有应对没有打动客户。";
        a.suggestion = "推荐应答卡 " + answerCard(tag) + "：" + answerAdvice(tag) + "。建议主管本周陪同 " + nth.rep
                + " 联合拜访该客户，拜访后提交「成交推动」卡。";
        return a;
    }

    /** "主要来自 t-3 组（r-017、r-021），少推进约 9 位客户，占缺口的 64%". */
    static String concentration(ConversionRow r, List<Gap> teams, List<Gap> main, List<Gap> reps) {
        double total = teams.stream().mapToDouble(g -> Math.max(0, g.missing)).sum();
        if (main.isEmpty() || total <= 0) {
            return "各组均有小幅下降，没有集中在某个组";
        }
        StringBuilder s = new StringBuilder("主要来自 ");
        List<String> names = new ArrayList<>();
        double sum = 0;
        for (Gap g : main) {
            names.add(r.team.equals(ConversionRow.ALL_TEAMS) ? g.name + " 组" : g.name);
            sum += g.missing;
        }
        s.append(String.join("、", names));
        if (!reps.isEmpty()) {
            s.append("（").append(String.join("、", reps.stream().map(g -> g.name).toList())).append("）");
        }
        s.append(String.format(Locale.ROOT, "，按各自往期转化率应推进而未推进约 %.0f 位客户，占缺口的 %.0f%%", sum,
                Math.min(100, sum / total * 100)));
        return s.toString();
    }

    static Alert dropAlert(DropFinding f, ObjectionCounts now, ObjectionCounts base, FunnelSettings settings,
            long emittedAt) {
        Stage stage = Stage.fromCode(f.stage).orElseThrow();
        boolean region = f.team.equals(ConversionRow.ALL_TEAMS);
        String where = f.region + (region ? " 区域" : " 区域 " + f.team + " 组");
        Alert a = base(dropId(f), "funnel_drop", f.tenant, f.region, region ? firstOr(f.mainTeams, "") : f.team,
                f.windowEnd, emittedAt);
        double threshold = f.dropThreshold > 0 ? f.dropThreshold : settings.dropThreshold;
        a.severity = (f.baselineRate - f.rate) / f.baselineRate >= 2 * threshold ? "high" : "normal";
        a.repId = "";
        a.customerId = "";
        a.stage = f.stage;
        a.title = "【转化下降】" + where + "「" + stage.label() + "」转化率从 " + pct(f.baselineRate) + " 降至 "
                + pct(f.rate);
        StringBuilder m = new StringBuilder();
        if (f.sequential) {
            // The sequential test's own figures: since when, on how many customers, with the censored ones weighted.
            a.title = "【转化下降】" + where + "「" + stage.label() + "」转化率从 " + pct(f.baselineRate) + " 降至约 "
                    + pct(f.rate);
            m.append(where).append("「").append(stage.label()).append("」转化率约从 ")
                    .append(DAY.format(Instant.ofEpochMilli(f.changeAt).atZone(settings.zone())))
                    .append(" 起由 ").append(pct(f.baselineRate)).append(" 降至约 ").append(pct(f.rate))
                    .append(String.format(Locale.ROOT, "（此后 %d 位客户进入、%d 位已推进，尚未推进的按往期推进时间折算；"
                            + "对比此前 %d 周；似然比证据 %.1f，达到阈值 %.0f）；", f.changeEntered, f.changeAdvanced,
                            sequentialBaselineWeeks(settings), f.evidence, f.evidenceThreshold));
        } else {
        m.append(where).append("「").append(stage.label()).append("」").append(days(settings.windowMs))
                .append("转化率从 ").append(pct(f.baselineRate)).append(" 降至 ").append(pct(f.rate))
                .append(String.format(Locale.ROOT, "（本期 %d 位客户进入、%d 位推进；对比前 %d 周同期；显著性 %s）；",
                        f.entered, f.advanced, settings.baselineWeeks,
                        f.pValue < 0.001 ? "p<0.001" : String.format(Locale.ROOT, "p=%.3f", f.pValue)));
        }
        m.append(f.concentration).append("；");
        String tagText = tagShift(now, base);
        m.append(tagText);
        String script = scriptShift(now, base);
        m.append(script);
        m.append(volumeShift(f));
        a.message = m.toString();
        a.suggestion = suggestion(f, now, base, stage);
        return a;
    }

    /** {@code funnel_drop:<tenant>:<region>:<team>:<stage>:<window end that opened the episode>}. */
    static String dropId(DropFinding f) {
        return "funnel_drop:" + f.tenant + ":" + f.region + ":" + f.team + ":" + f.stage + ":"
                + Instant.ofEpochMilli(f.windowEnd);
    }

    /** Weeks in the sequential test's baseline: from the window + baseline weeks back to where its evidence begins. */
    private static long sequentialBaselineWeeks(FunnelSettings settings) {
        long baseline = settings.baselineWeeks * FunnelSettings.WEEK;
        return (settings.windowMs + baseline - SequentialDropTest.lookback(settings.windowMs, baseline))
                / FunnelSettings.WEEK;
    }

    /** {@code funnel_recovery:<tenant>:<region>:*:<stage>:<window end that opened the episode>}. */
    static String recoveryId(DropFinding f) {
        return "funnel_recovery:" + f.tenant + ":" + f.region + ":" + f.team + ":" + f.stage + ":"
                + Instant.ofEpochMilli(f.windowEnd);
    }

    /** The episode's stage is back at its baseline rate: closes the loop alert -> action -> verified. */
    static Alert recoveryAlert(DropFinding f, FunnelSettings settings, long emittedAt) {
        Stage stage = Stage.fromCode(f.stage).orElseThrow();
        Alert a = base(recoveryId(f), "funnel_recovery", f.tenant, f.region, "", f.recoveredAt, emittedAt);
        a.severity = "normal";
        a.repId = "";
        a.customerId = "";
        a.stage = f.stage;
        String since = DAY.format(Instant.ofEpochMilli(f.windowEnd).atZone(settings.zone()));
        String at = DAY.format(Instant.ofEpochMilli(f.recoveredAt).atZone(settings.zone()));
        a.title = "【转化回升】" + f.region + " 区域「" + stage.label() + "」转化率已恢复至约 " + pct(f.rate);
        a.message = f.region + " 区域「" + stage.label() + "」转化率于 " + at + " 确认恢复：近期约 " + pct(f.rate)
                + "（" + since + " 提醒时约 " + pct(f.rateAtStart) + "，往期 " + pct(f.baselineRate) + "），"
                + since + " 的转化下降提醒结束。";
        a.suggestion = "复盘本次有效的做法（应答卡、晨会演示等），固化为团队常规动作。";
        return a;
    }

    /** Withdraws the alert of a drop episode that cards uploaded later no longer show. */
    static Alert dropRetraction(DropFinding f, FunnelSettings settings, long emittedAt) {
        Stage stage = Stage.fromCode(f.stage).orElseThrow();
        String id = dropId(f);
        Alert a = base(Alert.retractionId(id), Alert.RETRACTION, f.tenant, f.region, "", f.windowEnd, emittedAt);
        a.retracts = id;
        a.severity = "normal";
        a.repId = "";
        a.customerId = "";
        a.stage = f.stage;
        a.title = "【撤回】" + f.region + " 区域「" + stage.label() + "」转化下降提醒";
        a.message = "后来补传的卡片计入后，" + f.region + " 区域「" + stage.label() + "」截至 "
                + DAY.format(Instant.ofEpochMilli(f.windowEnd).atZone(settings.zone()))
                + " 的转化率没有明显下降，此前的转化下降提醒作废。";
        a.suggestion = "无需处理；已安排的复盘可按最新转化数据决定是否继续。";
        return a;
    }

    /** The tag whose share of objection cards rose most, in percentage points. */
    private static String tagShift(ObjectionCounts now, ObjectionCounts base) {
        if (now.total < 5 || base.total < 5) {
            return "异议卡太少，无法比较异议构成；";
        }
        ObjectionTag best = topRisingTag(now, base);
        double pp = share(now, best) - share(base, best);
        if (pp < 5) {
            return "各类异议占比与往期相近（变化不超过 5 个百分点）；";
        }
        return String.format(Locale.ROOT, "“%s”异议占比上升 %.0f 个百分点（%.0f%% → %.0f%%）；", best.label(), pp,
                share(base, best), share(now, best));
    }

    static ObjectionTag topRisingTag(ObjectionCounts now, ObjectionCounts base) {
        ObjectionTag best = ObjectionTag.values()[0];
        double bestPp = Double.NEGATIVE_INFINITY;
        for (ObjectionTag t : ObjectionTag.values()) {
            double pp = share(now, t) - share(base, t);
            if (pp > bestPp) {
                bestPp = pp;
                best = t;
            }
        }
        return best;
    }

    private static double share(ObjectionCounts c, ObjectionTag t) {
        return c.total == 0 ? 0 : 100.0 * c.tags[t.ordinal()] / c.total;
    }

    private static String scriptShift(ObjectionCounts now, ObjectionCounts base) {
        if (now.total < 5 || base.total < 5) {
            return "";
        }
        double n = 100.0 * now.scripted / now.total;
        double b = 100.0 * base.scripted / base.total;
        if (b - n >= 5) {
            return String.format(Locale.ROOT, "话术引用率下降：%.0f%% → %.0f%%；", b, n);
        }
        return String.format(Locale.ROOT, "话术引用率未下降（%.0f%% → %.0f%%）；", b, n);
    }

    private static String volumeShift(DropFinding f) {
        if (f.baselineEnteredPerWindow <= 0) {
            return "";
        }
        double change = (f.entered - f.baselineEnteredPerWindow) / f.baselineEnteredPerWindow * 100;
        if (Math.abs(change) < 15) {
            return String.format(Locale.ROOT, "进入该阶段的客户数与往期持平（%+.0f%%），不是客源变化造成的。", change);
        }
        return String.format(Locale.ROOT, "进入该阶段的客户数%s（往期每期约 %.0f 位，本期 %d 位，%+.0f%%）。",
                change > 0 ? "明显增加，新客户可能尚未来得及推进" : "明显减少", f.baselineEnteredPerWindow, f.entered,
                change);
    }

    private static String suggestion(DropFinding f, ObjectionCounts now, ObjectionCounts base, Stage stage) {
        String who = f.mainTeams.isEmpty() ? f.region + " 区域各组" : String.join("、", List.of(f.mainTeams.split(","))) + " 组";
        StringBuilder s = new StringBuilder("建议区域经理 24 小时内与 ").append(who).append("复盘「").append(stage.label())
                .append("」后未推进的客户");
        if (!f.mainReps.isEmpty()) {
            s.append("，先从 ").append(f.mainReps.replace(",", "、")).append(" 的客户开始");
        }
        if (now.total >= 5 && base.total >= 5) {
            ObjectionTag t = topRisingTag(now, base);
            if (share(now, t) - share(base, t) >= 5) {
                s.append("；针对“").append(t.label()).append("”统一使用知识库应答卡 ").append(answerCard(t))
                        .append("，并在晨会演示");
            }
        }
        return s.append("；一周后查看该阶段转化率是否回升。").toString();
    }

    static Alert scriptAdoptionAlert(String tenant, String region, String team, long firstWeek,
            ObjectionCounts lastWeek, ObjectionCounts thisWeek, FunnelSettings settings, long emittedAt) {
        long secondWeek = firstWeek + FunnelSettings.WEEK;
        Alert a = base("coaching:script_adoption:" + tenant + ":" + region + ":" + team + ":"
                + Instant.ofEpochMilli(firstWeek), "coaching", tenant, region, team, secondWeek + FunnelSettings.WEEK,
                emittedAt);
        a.severity = "normal";
        a.repId = "";
        a.customerId = "";
        a.stage = Stage.OBJECTION.code();
        String min = Math.round(settings.scriptAdoption * 100) + "%";
        a.title = "【辅导】" + team + " 组话术引用率连续两周低于 " + min;
        ZoneId zone = settings.zone();
        int cards = lastWeek.total + thisWeek.total;
        int scripted = lastWeek.scripted + thisWeek.scripted;
        a.message = String.format(Locale.ROOT,
                "%s 组（%s）异议卡引用知识库话术的比例：%s 起一周 %.0f%%（%d 张中 %d 张），%s 起一周 %.0f%%（%d 张中 %d 张），"
                        + "连续两周低于 %s。两周合计 %d 张中 %d 张：按这个卡数，真实引用率至多约 %.0f%%；引用率达到 %s 的组"
                        + "出现这样两周的机会不到%s，不是偶然偏低。", team, region, DAY.format(Instant.ofEpochMilli(firstWeek).atZone(zone)),
                100.0 * lastWeek.scripted / lastWeek.total, lastWeek.total, lastWeek.scripted,
                DAY.format(Instant.ofEpochMilli(secondWeek).atZone(zone)), 100.0 * thisWeek.scripted / thisWeek.total,
                thisWeek.total, thisWeek.scripted, min, cards, scripted,
                Math.ceil(ScriptAdoption.upperBound(scripted, cards) * 100), min, ScriptAdoption.ALPHA_WORDS);
        ObjectionTag top = ObjectionTag.values()[0];
        for (ObjectionTag t : ObjectionTag.values()) {
            if (thisWeek.tags[t.ordinal()] > thisWeek.tags[top.ordinal()]) {
                top = t;
            }
        }
        a.suggestion = "请区域经理本周为 " + team + " 组安排一次话术辅导：从本周最多的“" + top.label() + "”异议开始，演练应答卡 "
                + answerCard(top) + "，要求处理异议时在卡上引用应答卡；下周复查引用率。";
        return a;
    }

    static List<DigestRow> digestRows(String tenant, String region, String team, long digestAt, long[] customers,
            long[] overdue, long[] atRisk, WinForecast[] stages, WinForecast total) {
        List<DigestRow> rows = new ArrayList<>();
        DigestRow all = new DigestRow();
        all.tenant = tenant;
        all.region = region;
        all.team = team;
        all.digestAt = digestAt;
        all.stage = "all";
        for (Stage s : Stage.values()) {
            int i = s.rank();
            DigestRow r = new DigestRow();
            r.tenant = tenant;
            r.region = region;
            r.team = team;
            r.digestAt = digestAt;
            r.stage = s.code();
            r.customers = customers[i];
            r.overdue = overdue[i];
            r.atRisk = atRisk[i];
            r.expectedWins7d = stages[i].mean;
            r.winsLow7d = stages[i].low;
            r.winsHigh7d = stages[i].high;
            r.message = "";
            rows.add(r);
            all.customers += customers[i];
            all.overdue += overdue[i];
            all.atRisk += atRisk[i];
        }
        all.expectedWins7d = total.mean;
        all.winsLow7d = total.low;
        all.winsHigh7d = total.high;
        all.message = "";
        rows.add(all);
        return rows;
    }

    /** How many customers a digest names at most among those carrying the risk. */
    static final int RISKS_NAMED = 5;

    /**
     * "142 位客户在跟进；预计未来 7 天签约约 27 单（80% 区间 21–33）；8 位高潜客户已超时未推进；需要关注：c-17（r-003，
     * 「方案呈现」已超时 3 天，高潜）…".
     */
    static Alert digestAlert(List<DigestRow> rows, List<ForecastDigest.Risk> risks, FunnelSettings settings,
            long emittedAt) {
        DigestRow all = rows.get(rows.size() - 1);
        ZoneId zone = settings.zone();
        Alert a = base("digest:" + all.tenant + ":" + all.team + ":" + Instant.ofEpochMilli(all.digestAt), "digest",
                all.tenant, all.region, all.team, all.digestAt, emittedAt);
        a.severity = "normal";
        a.repId = "";
        a.customerId = "";
        a.stage = "";
        String forecast = "预计未来 7 天签约约 " + Math.round(all.expectedWins7d) + " 单（80% 区间 " + all.winsLow7d + "–"
                + all.winsHigh7d + "）";
        a.title = "【每日预测】" + all.team + " 组 " + DAY.format(Instant.ofEpochMilli(all.digestAt).atZone(zone)) + "："
                + forecast;
        StringBuilder m = new StringBuilder();
        m.append(all.team).append(" 组目前在跟进 ").append(all.customers).append(" 位客户（");
        List<String> parts = new ArrayList<>();
        for (DigestRow r : rows.subList(0, rows.size() - 1)) {
            if (r.customers > 0) {
                parts.add(Stage.fromCode(r.stage).orElseThrow().label() + " " + r.customers);
            }
        }
        m.append(String.join("、", parts)).append("）。");
        DigestRow biggest = rows.subList(0, rows.size() - 1).stream()
                .max(java.util.Comparator.comparingDouble(r -> r.expectedWins7d)).orElseThrow();
        m.append("按本组近 4 周的实际转化和客户在各阶段停留的时间，").append(forecast);
        double fromOpen = rows.subList(0, rows.size() - 1).stream().mapToDouble(r -> r.expectedWins7d).sum();
        if (biggest.expectedWins7d >= 0.5) {
            m.append(String.format(Locale.ROOT, "，其中在跟进客户约 %.0f 单（「%s」阶段的 %d 位客户约 %.0f 单），新客户约 %.0f 单",
                    fromOpen, Stage.fromCode(biggest.stage).orElseThrow().label(), biggest.customers,
                    biggest.expectedWins7d, all.expectedWins7d - fromOpen));
        }
        m.append("。");
        if (all.atRisk > 0) {
            Map<String, Integer> byRep = new TreeMap<>();
            risks.stream().filter(ForecastDigest.Risk::highPotential).forEach(r -> byRep.merge(r.rep(), 1, Integer::sum));
            Map<String, Integer> top = new LinkedHashMap<>();
            byRep.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(3)
                    .forEach(e -> top.put(e.getKey(), e.getValue()));
            List<String> reps = new ArrayList<>();
            top.forEach((rep, n) -> reps.add(rep + " " + n + " 位"));
            m.append(all.atRisk).append(" 位高潜客户已超时未推进，有流失风险（").append(String.join("、", reps)).append("）。");
        } else {
            m.append("目前没有超时未推进的高潜客户。");
        }
        if (!risks.isEmpty()) {
            List<String> named = new ArrayList<>();
            for (ForecastDigest.Risk r : risks.subList(0, Math.min(RISKS_NAMED, risks.size()))) {
                named.add(r.customerId() + "（" + r.rep() + "，「" + r.stage().label() + "」已超时 " + overdue(r.overdueMs())
                        + (r.highPotential() ? "，高潜" : "") + (r.stage() == Stage.OBJECTION ? "，异议未解决" : "") + "）");
            }
            m.append("需要关注的客户（已超时且高潜或异议未解决，共 ").append(risks.size()).append(" 位）：")
                    .append(String.join("、", named)).append(risks.size() > RISKS_NAMED ? " 等。" : "。");
        }
        a.message = m.toString();
        a.suggestion = !risks.isEmpty()
                ? "今天晨会先过这 " + Math.min(RISKS_NAMED, risks.size()) + " 位客户，明确每位的下一步和负责人。"
                : "保持节奏，优先推进「成交推动」阶段的客户。";
        return a;
    }

    /** "3 天" from a day on, "5 小时" below. */
    private static String overdue(long ms) {
        long h = ms / 3_600_000L;
        return h >= 24 ? h / 24 + " 天" : Math.max(1, h) + " 小时";
    }

    private static String days(long windowMs) {
        long h = windowMs / 3_600_000L;
        return h % 24 == 0 ? " " + h / 24 + " 天" : " " + h + " 小时";
    }

    private static String firstOr(String csv, String fallback) {
        return csv == null || csv.isEmpty() ? fallback : csv.split(",")[0];
    }

    private static Alert base(String id, String type, String tenant, String region, String team, long firedAt,
            long emittedAt) {
        Alert a = new Alert();
        a.alertId = id;
        a.type = type;
        a.tenant = tenant;
        a.region = region;
        a.team = team;
        a.firedAt = firedAt;
        a.emittedAt = emittedAt;
        return a;
    }
}
