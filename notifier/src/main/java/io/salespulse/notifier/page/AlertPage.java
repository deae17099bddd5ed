package io.salespulse.notifier.page;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.salespulse.contract.Json;
import io.salespulse.notifier.NotifierTime;
import io.salespulse.notifier.delivery.DeliveryLedger;
import io.salespulse.notifier.ops.NotifierMetrics;
import io.salespulse.notifier.page.AlertPageHtml.Banner;
import io.salespulse.notifier.page.AlertPageStore.PageAlert;
import io.salespulse.notifier.page.AlertPageStore.Snooze;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert page, {@code /alert}: the link in a WeCom message opens it.
 *
 * <ul>
 *   <li>{@code GET /alert?a=&to=&exp=&sig=} (a signed link, {@link AlertLinks}) shows the alert, the customer's recent
 *       stage cards, what was done so far, and three buttons. A GET never changes anything, so a chat client's link
 *       preview, a security scanner or a prefetch records nothing. It sets a random nonce in a
 *       {@code SameSite=Strict; HttpOnly} cookie and puts a token bound to that nonce and the link into the form.</li>
 *   <li>{@code POST /alert} (the form: the link's four fields, {@code token}, {@code action} = ack | resolve | snooze,
 *       {@code snooze_for}) acts, after checking, in this order: size and content type, the link's signature and
 *       expiry, the {@code Origin} (or {@code Referer}) against {@code notifier.ack-base-url}, the cookie and the
 *       token, the action, the alert. Any failure answers a page saying what is wrong and records nothing.</li>
 * </ul>
 *
 * Who acted is the link's recipient: each message carries links signed for the person (or group) it addresses.
 * ack and resolve go to {@code sales.acks} with the id {@code ack-<sha256(alert, action, recipient)>}, so a
 * replayed POST (or a second click) answers "already recorded" with the first time and writes nothing; a snooze
 * is a row of {@code alert_silences} with an id derived from the page's nonce and the chosen time, so a replay
 * finds it and writes nothing either.
 */
public final class AlertPage {
    private static final Logger LOG = LoggerFactory.getLogger(AlertPage.class);
    /** The form is five short fields; anything much larger is not ours. */
    static final int MAX_FORM_BYTES = 4096;
    static final Map<String, Duration> SNOOZES = new LinkedHashMap<>(Map.of("2h", Duration.ofHours(2), "4h",
            Duration.ofHours(4), "1d", Duration.ofDays(1), "3d", Duration.ofDays(3)));
    private static final String COOKIE_PREFIX = "sp_";
    private static final Duration COOKIE_AGE = Duration.ofHours(12);

    private final AlertLinks links;
    private final AlertPageStore store;
    private final DeliveryLedger ledger;
    private final Producer<String, byte[]> producer;
    private final String topicAcks;
    private final NotifierTime time;
    private final AlertPageHtml html;
    private final NotifierMetrics metrics;
    private final String allowedOrigin;
    private final boolean secureCookie;
    /** event_id -> occurred_at of acks written by this process (ClickHouse may not have them yet). */
    private final Map<String, Instant> recorded = new ConcurrentHashMap<>();

    public AlertPage(AlertLinks links, AlertPageStore store, DeliveryLedger ledger, Producer<String, byte[]> producer,
            String topicAcks, NotifierTime time, ZoneId zone, NotifierMetrics metrics, String ackBaseUrl) {
        this.links = links;
        this.store = store;
        this.ledger = ledger;
        this.producer = producer;
        this.topicAcks = topicAcks;
        this.time = time;
        this.html = new AlertPageHtml(zone);
        this.metrics = metrics;
        this.allowedOrigin = origin(URI.create(ackBaseUrl));
        this.secureCookie = ackBaseUrl.startsWith("https:");
    }

    /** {@code scheme://host[:port]} as a browser sends it in {@code Origin} (default ports left out). */
    static String origin(URI u) {
        int port = u.getPort();
        boolean defaultPort = port == -1 || ("http".equals(u.getScheme()) && port == 80)
                || ("https".equals(u.getScheme()) && port == 443);
        return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT)
                + (defaultPort ? "" : ":" + port);
    }

    public static String eventId(String alertId, String action, String by) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((alertId + "\n" + action + "\n" + by).getBytes(StandardCharsets.UTF_8));
            return "ack-" + HexFormat.of().formatHex(h).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers one request; a ClickHouse or Kafka failure answers 503 "try later" and records nothing. */
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            boolean json = wantsJson(ex);
            try {
                switch (ex.getRequestMethod()) {
                    case "GET", "HEAD" -> view(ex, json);
                    case "POST" -> act(ex, json);
                    default -> {
                        ex.getResponseHeaders().set("Allow", "GET, HEAD, POST");
                        fail(ex, json, 405, "bad_request", "不支持的请求", "只支持打开页面（GET）和页面上的按钮（POST）。");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.error("Alert page request failed: {}", e.toString());
                try {
                    fail(ex, json, 503, "unavailable", "暂时无法处理", "暂时无法记录，请稍后再试。");
                } catch (IOException ignored) {
                    // the client is gone
                }
            }
        }
    }

    private void view(HttpExchange ex, boolean json) throws Exception {
        Map<String, String> p = new HashMap<>();
        if (!parse(ex.getRequestURI().getRawQuery(), p)) {
            fail(ex, json, 400, "bad_link", "链接格式有误", "请从企业微信消息中重新打开。");
            return;
        }
        Instant now = time.now();
        AlertLinks.Verified v = links.verify(p, now);
        if (!linkUsable(ex, json, v)) {
            return;
        }
        Optional<PageAlert> alert = store.alert(v.link().alertId());
        if (alert.isEmpty()) {
            fail(ex, json, 404, "unknown_alert", "找不到这条预警", "链接有误，或预警尚未送达。");
            return;
        }
        String nonce = AlertLinks.nonce();
        ex.getResponseHeaders().add("Set-Cookie", cookieName(v.link()) + "=" + nonce + "; Path=/alert; Max-Age="
                + COOKIE_AGE.toSeconds() + "; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
        metrics.ackRequest("page_viewed");
        if (json) {
            send(ex, 200, true, jsonBody("page", "预警页面", alert.get().alertId()));
            return;
        }
        send(ex, 200, false, render(alert.get(), v.link(), nonce, Optional.empty(), now));
    }

    private void act(HttpExchange ex, boolean json) throws Exception {
        String type = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            fail(ex, json, 415, "bad_request", "请求格式有误", "请使用页面上的按钮。");
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(MAX_FORM_BYTES + 1);
        if (body.length > MAX_FORM_BYTES) {
            fail(ex, json, 413, "too_large", "请求过大", "请使用页面上的按钮，未做任何记录。");
            return;
        }
        Map<String, String> p = new HashMap<>();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            text = null;
        }
        if (text == null || !parse(text, p)) {
            fail(ex, json, 400, "bad_request", "请求格式有误", "表单内容无法识别，未做任何记录。");
            return;
        }
        Instant now = time.now();
        AlertLinks.Verified v = links.verify(p, now);
        if (!linkUsable(ex, json, v)) {
            return;
        }
        if (!sameOrigin(ex)) {
            fail(ex, json, 403, "cross_site", "请求来源不符", "只接受本页面上的按钮，未做任何记录。");
            return;
        }
        String nonce = cookie(ex, cookieName(v.link()));
        if (!links.formTokenValid(v.link(), nonce, p.get("token"))) {
            fail(ex, json, 403, "cross_site", "页面已失效", "请从企业微信消息中重新打开链接后再操作，未做任何记录。");
            return;
        }
        String action = p.getOrDefault("action", "");
        if (!action.equals("ack") && !action.equals("resolve") && !action.equals("snooze")) {
            fail(ex, json, 400, "bad_request", "未知操作", "只能确认处理、标记已解决或暂停提醒。");
            return;
        }
        Duration snoozeFor = SNOOZES.get(p.getOrDefault("snooze_for", ""));
        if (action.equals("snooze") && snoozeFor == null) {
            fail(ex, json, 400, "bad_request", "暂停时长有误", "请选择 2 小时、4 小时、1 天或 3 天。");
            return;
        }
        Optional<PageAlert> found = store.alert(v.link().alertId());
        if (found.isEmpty()) {
            fail(ex, json, 404, "unknown_alert", "找不到这条预警", "链接有误，或预警尚未送达。");
            return;
        }
        PageAlert alert = found.get();
        String who = v.link().recipient();
        Outcome outcome = action.equals("snooze") ? snooze(alert, who, nonce, p.get("snooze_for"), snoozeFor, now)
                : respond(alert, who, action, now);
        metrics.ackRequest(outcome.result());
        Banner banner = outcome.banner();
        if (json) {
            send(ex, 200, true, jsonBody(outcome.result(), banner.text(), alert.alertId()));
        } else {
            // The same page again, with what happened on top and a fresh nonce for the next button.
            String next = AlertLinks.nonce();
            ex.getResponseHeaders().add("Set-Cookie", cookieName(v.link()) + "=" + next + "; Path=/alert; Max-Age="
                    + COOKIE_AGE.toSeconds() + "; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : ""));
            send(ex, 200, false, render(alert, v.link(), next, Optional.of(banner), now));
        }
    }

    /** What a POST did: {@code recorded}, {@code snoozed} or {@code already_recorded}, and the line shown. */
    private record Outcome(String result, Banner banner) {}

    private Outcome respond(PageAlert alert, String who, String action, Instant now) throws Exception {
        String verb = action.equals("ack") ? "确认处理" : "标记已解决";
        String eventId = eventId(alert.alertId(), action, who);
        Instant first = recorded.get(eventId);
        if (first == null) {
            first = ledger.ackRecorded(eventId).orElse(null);
        }
        if (first != null) {
            return new Outcome("already_recorded", new Banner(true, who + " 已于 " + html.time(first) + " " + verb
                    + "，无需重复操作"));
        }
        ObjectNode ack = Json.MAPPER.createObjectNode();
        ack.put("event_id", eventId);
        ack.put("tenant", alert.tenant());
        ack.put("occurred_at", now.toString());
        ack.put("alert_id", alert.alertId());
        ack.put("responder", who);
        ack.put("action", action);
        producer.send(new ProducerRecord<>(topicAcks, alert.alertId(), Json.bytes(ack))).get();
        recorded.put(eventId, now);
        metrics.ackRecorded(action);
        LOG.info("Recorded {} of {} by {} (alert page)", action, alert.alertId(), who);
        // Stored like any ack; the response-time views leave a withdrawn alert out, so it does not count.
        String withdrawn = alert.retracted() ? "。该预警已撤回（下一张卡是离线提交、后来上传的），无需处理" : "";
        return new Outcome("recorded", new Banner(true, who + " 已" + verb + "，时间 " + html.time(now) + withdrawn));
    }

    private Outcome snooze(PageAlert alert, String who, String nonce, String choice, Duration length, Instant now)
            throws Exception {
        String id = AlertPageStore.silenceId(alert.alertId(), who, nonce, choice);
        Optional<Snooze> existing = store.silence(id);
        if (existing.isPresent()) {
            return new Outcome("already_recorded", new Banner(true, who + " 已于 "
                    + html.time(existing.get().startsAt()) + " 暂停提醒至 " + html.time(existing.get().endsAt())
                    + "，无需重复操作"));
        }
        Snooze s = new Snooze(id, alert.tenant(), alert.alertId(), now, now.plus(length), who,
                "暂停提醒 " + choice + "（预警页面）", "page");
        store.writeSnooze(s, now);
        metrics.ackRecorded("snooze");
        LOG.info("Snoozed {} for {} by {} (alert page)", alert.alertId(), choice, who);
        return new Outcome("snoozed", new Banner(true, who + " 已暂停提醒至 " + html.time(s.endsAt()) + "，期间不再升级"));
    }

    private String render(PageAlert a, AlertLinks.Link link, String nonce, Optional<Banner> banner, Instant now)
            throws Exception {
        return html.page(a, store.recentCards(a.tenant(), a.customerId(), 6), store.responses(a.alertId()),
                store.activeSnooze(a.tenant(), a.alertId(), now), link, links.formToken(link, nonce), banner, now);
    }

    /** Answers the page for a missing, malformed, forged or expired link; true when the link may be used. */
    private boolean linkUsable(HttpExchange ex, boolean json, AlertLinks.Verified v) throws IOException {
        switch (v.check()) {
            case VALID -> {
                return true;
            }
            case EXPIRED -> fail(ex, json, 410, "expired_link", "链接已过期",
                    "此链接已于 " + html.time(v.link().expires()) + " 过期。请在工作台查看该预警，或等待新的提醒。未做任何记录。");
            case FORGED -> fail(ex, json, 403, "bad_link", "链接无效",
                    "链接签名不符（可能被改动或伪造）。请从企业微信消息中重新打开。未做任何记录。");
            default -> fail(ex, json, 400, "bad_link", "链接不完整",
                    "链接缺少参数或格式有误。请从企业微信消息中重新打开。未做任何记录。");
        }
        return false;
    }

    /** Origin, else Referer, must be the page's own origin (notifier.ack-base-url). */
    private boolean sameOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null) {
            return origin.equalsIgnoreCase(allowedOrigin);
        }
        String referer = ex.getRequestHeaders().getFirst("Referer");
        return referer != null && (referer.equalsIgnoreCase(allowedOrigin)
                || referer.toLowerCase(Locale.ROOT).startsWith(allowedOrigin.toLowerCase(Locale.ROOT) + "/"));
    }

    /** One cookie per link, so two alert pages open at once do not spoil each other's forms. */
    private static String cookieName(AlertLinks.Link link) {
        return COOKIE_PREFIX + link.signature().substring(0, 12);
    }

    private static String cookie(HttpExchange ex, String name) {
        for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                String kv = part.strip();
                if (kv.startsWith(name + "=")) {
                    String v = kv.substring(name.length() + 1);
                    // RFC 6265 allows a quoted value (Java's CookieManager, for one, sends it quoted).
                    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
                }
            }
        }
        return null;
    }

    private void fail(HttpExchange ex, boolean json, int status, String result, String heading, String text)
            throws IOException {
        metrics.ackRequest(result);
        send(ex, status, json, json ? jsonBody(result, heading + "：" + text, null) : html.message(false, heading, text));
    }

    private static String jsonBody(String result, String message, String alertId) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("result", result);
        n.put("message", message);
        if (alertId != null) {
            n.put("alert_id", alertId);
        }
        return n.toString();
    }

    private static void send(HttpExchange ex, int status, boolean json, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", json ? "application/json; charset=utf-8" : "text/html; charset=utf-8");
        h.set("Cache-Control", "no-store");
        h.set("X-Robots-Tag", "noindex, nofollow");
        h.set("X-Frame-Options", "DENY");
        h.set("X-Content-Type-Options", "nosniff");
        // same-origin: the POST carries a Referer for the origin check; the signed link never leaks elsewhere.
        h.set("Referrer-Policy", "same-origin");
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self';"
                + " frame-ancestors 'none'; base-uri 'none'");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static boolean wantsJson(HttpExchange ex) {
        return Optional.ofNullable(ex.getRequestHeaders().getFirst("Accept")).orElse("").contains("application/json");
    }

    /** Parses {@code a=b&c=d}; false on a malformed escape or a repeated name (ambiguous: refuse). */
    static boolean parse(String raw, Map<String, String> out) {
        if (raw == null || raw.isEmpty()) {
            return true;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (out.putIfAbsent(k, v) != null) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return true;
    }
}
