package io.salespulse.notifier;

import static io.salespulse.notifier.NotifierTestStack.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.config.NotifierConfig;
import io.salespulse.notifier.config.NotifierSetting;
import io.salespulse.notifier.delivery.NotifierAlert;
import io.salespulse.notifier.delivery.RobotDispatcher;
import io.salespulse.notifier.page.AlertLinks;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert page over HTTP, against the real notifier (Kafka broker, ClickHouse engine, the WeCom stand-in): the
 * link is taken from the message the stand-in received. What must record nothing records nothing: a preview bot's
 * GET and HEAD, forged, altered and expired links, cross-site and token-less POSTs, oversized and malformed forms,
 * the retired {@code /ack} link; a replayed POST answers "already recorded". {@link InAPhoneBrowser} does the same
 * in headless Chromium at a phone's viewport (Debian's chromium and chromium-driver, driven by Selenium).
 */
class AlertPageTest extends SharedStackTest {
    static final String KEY = "key-page-" + Long.toHexString(System.nanoTime());
    private static final Pattern LINK = Pattern.compile("\\((http://127\\.0\\.0\\.1:\\d+/alert\\?[^)]+)\\)");
    static WeComStub stub;
    static WeComNotifier notifier;
    static NotifierConfig config;
    static String origin;

    @BeforeAll
    static void startNotifier() throws Exception {
        stub = WeComStub.start("127.0.0.1", 0, Set.of(KEY), NotifierTime.SYSTEM);
        Path routes = stack.writeRoutes("page", """
                default_route: team
                routes: {team: {}}
                users: {r-007: lisi}
                """);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        origin = "http://127.0.0.1:" + port;
        config = stack.config("page", stub.url(), routes, Map.of(NotifierSetting.ACK_PORT, Integer.toString(port),
                NotifierSetting.ACK_BASE_URL, origin));
        notifier = WeComNotifier.start(config, NotifierTestStack.routing(routes, Map.of("SALESPULSE_WECOM_KEY_TEAM", KEY)),
                NotifierTime.SYSTEM, RobotDispatcher.PostObserver.NONE);
    }

    @AfterAll
    static void stopNotifier() throws Exception {
        notifier.close();
        stub.close();
    }

    /** Sends an alert through the notifier and returns the page link of the message the group received. */
    static String deliver(String id) throws Exception {
        NotifierAlert a = NotifierTestStack.alert(id, "high", "hz-west", "t-3", Instant.now().minus(Duration.ofHours(3)));
        stack.produce(config.topicAlerts, List.of(a), Instant.now());
        await("the message of " + id, Duration.ofSeconds(30),
                () -> stub.received(KEY).stream().anyMatch(r -> r.content().contains(id)));
        String content = stub.received(KEY).stream().filter(r -> r.content().contains(id)).findFirst().orElseThrow()
                .content();
        Matcher m = LINK.matcher(content);
        assertThat(m.find()).as(content).isTrue();
        return m.group(1);
    }

    static long acks(String id) {
        return stack.count("SELECT count() FROM salespulse.alert_acks FINAL WHERE alert_id = '" + id + "'");
    }

    static long silences(String id) {
        return stack.count("SELECT count() FROM salespulse.alert_silences FINAL WHERE alert_id = '" + id + "'");
    }

    /**
     * Makes one real ack on a fresh alert and waits until ClickHouse has it. The acks topic has one partition and the
     * notifier copies it in order, so anything an earlier request had written would be in ClickHouse by then too.
     */
    static void barrier(String id) throws Exception {
        deliver(id);
        HttpResponse<String> r = NotifierTestStack.actOnPage(notifier.ackPort(), id, "barrier", "ack");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        await("the barrier ack in ClickHouse", Duration.ofSeconds(30), () -> acks(id) == 1);
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String url, String userAgent) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("User-Agent", userAgent)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient http, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + "/alert")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The form of a page as a browser would submit it, with {@code action}. */
    static String form(String html, String action) {
        StringBuilder form = new StringBuilder();
        Matcher m = Pattern.compile("<input type=\"hidden\" name=\"([a-z]+)\" value=\"([^\"]*)\">").matcher(html);
        while (m.find()) {
            form.append(m.group(1)).append('=').append(URLEncoder.encode(m.group(2).replace("&amp;", "&"),
                    StandardCharsets.UTF_8)).append('&');
        }
        return form.append("action=").append(action).append("&snooze_for=2h").toString();
    }

    @Test
    void previewBotsAndScannersFetchingTheLinkRecordNothing() throws Exception {
        String link = deliver("pg-bot");
        for (String ua : List.of("Mozilla/5.0 (compatible; WeComLinkPreview/1.0)", "Slackbot-LinkExpanding 1.0",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0")) {
            HttpResponse<String> r = get(link, ua);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("客户 pg-bot").contains("确认处理").contains("标记已解决").contains("暂停提醒");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        }
        HttpResponse<Void> head = HTTP.send(HttpRequest.newBuilder(URI.create(link))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        barrier("pg-bot-barrier");
        assertThat(acks("pg-bot")).isZero();
        assertThat(silences("pg-bot")).isZero();
    }

    @Test
    void forgedAlteredAndExpiredLinksShowAClearPageAndRecordNothing() throws Exception {
        String link = deliver("pg-forged");
        String altered = link.replace("to=lisi", "to=wangwu");
        assertThat(altered).isNotEqualTo(link);
        HttpResponse<String> r = get(altered, "Mozilla/5.0");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("链接无效").contains("未做任何记录").doesNotContain("客户 pg-forged");

        String otherAlert = link.replace("a=pg-forged", "a=pg-other");
        assertThat(get(otherAlert, "Mozilla/5.0").statusCode()).isEqualTo(403);
        String badSig = link.substring(0, link.length() - 4) + (link.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(get(badSig, "Mozilla/5.0").statusCode()).isEqualTo(403);
        String otherSecret = new AlertLinks("someone-elses-secret-0123456789abcdef", origin, Duration.ofDays(7))
                .url("pg-forged", "lisi", Instant.now());
        assertThat(get(otherSecret, "Mozilla/5.0").statusCode()).isEqualTo(403);
        String legacy = origin + "/ack?alert_id=pg-forged&by=lisi&action=ack";
        HttpResponse<String> old = get(legacy, "Mozilla/5.0");
        assertThat(old.statusCode()).isEqualTo(410);
        assertThat(old.body()).contains("此链接格式已停用");
        assertThat(get(origin + "/alert", "Mozilla/5.0").statusCode()).isEqualTo(400);
        assertThat(get(origin + "/alert?a=pg-forged&to=lisi&exp=abc&sig=x", "Mozilla/5.0").statusCode()).isEqualTo(400);

        AlertLinks ours = new AlertLinks(NotifierTestStack.LINK_SECRET, origin, Duration.ofDays(7));
        String expired = ours.url("pg-forged", "lisi", Instant.now().minus(Duration.ofDays(8)));
        HttpResponse<String> e = get(expired, "Mozilla/5.0");
        assertThat(e.statusCode()).isEqualTo(410);
        assertThat(e.body()).contains("链接已过期").contains("未做任何记录");
        String unknown = ours.url("pg-never-sent", "lisi", Instant.now());
        assertThat(get(unknown, "Mozilla/5.0").statusCode()).isEqualTo(404);

        // POSTs carrying the forged and expired links, with a valid page's cookie and token: refused as well.
        CookieManager cookies = new CookieManager();
        HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
        String page = http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofString()).body();
        String good = form(page, "ack");
        Map<String, String> sameOrigin = Map.of("Origin", origin, "Content-Type", "application/x-www-form-urlencoded");
        assertThat(post(http, good.replace("to=lisi", "to=wangwu"), sameOrigin).statusCode()).isEqualTo(403);
        String expiredForm = good.replaceAll("exp=\\d+", "exp=" + Instant.now().minusSeconds(60).getEpochSecond());
        assertThat(post(http, expiredForm, sameOrigin).statusCode()).isEqualTo(403);

        barrier("pg-forged-barrier");
        assertThat(acks("pg-forged")).isZero();
        assertThat(acks("pg-other")).isZero();
    }

    @Test
    void postsWithoutThePagesOriginCookieOrTokenAndBadFormsChangeNothing() throws Exception {
        String link = deliver("pg-csrf");
        CookieManager cookies = new CookieManager();
        HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).build();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().allValues("Set-Cookie")).singleElement().asString().contains("HttpOnly")
                .contains("SameSite=Strict");
        String good = form(page.body(), "ack");
        String formType = "application/x-www-form-urlencoded";

        // Another site's form: its Origin.
        assertThat(post(http, good, Map.of("Origin", "http://evil.example", "Content-Type", formType)).statusCode())
                .isEqualTo(403);
        // Neither Origin nor Referer.
        assertThat(post(http, good, Map.of("Content-Type", formType)).statusCode()).isEqualTo(403);
        // A Referer from elsewhere.
        assertThat(post(http, good, Map.of("Referer", "http://127.0.0.1:1/alert", "Content-Type", formType))
                .statusCode()).isEqualTo(403);
        Map<String, String> sameOrigin = Map.of("Origin", origin, "Content-Type", formType);
        // No cookie (another browser, or SameSite kept it back).
        assertThat(post(HttpClient.newHttpClient(), good, sameOrigin).statusCode()).isEqualTo(403);
        // A token that is not the page's.
        assertThat(post(http, good.replaceAll("token=[^&]+", "token=" + "A".repeat(43)), sameOrigin).statusCode())
                .isEqualTo(403);
        // Bad forms: not a form, too large, malformed escape, a field twice, an unknown action, a bad snooze.
        assertThat(post(http, good, Map.of("Origin", origin, "Content-Type", "text/plain")).statusCode()).isEqualTo(415);
        assertThat(post(http, good + "&pad=" + "x".repeat(5000), sameOrigin).statusCode()).isEqualTo(413);
        assertThat(post(http, good + "&x=%zz", sameOrigin).statusCode()).isEqualTo(400);
        assertThat(post(http, good + "&action=resolve", sameOrigin).statusCode()).isEqualTo(400);
        assertThat(post(http, good.replace("action=ack", "action=delete"), sameOrigin).statusCode()).isEqualTo(400);
        assertThat(post(http, good.replace("action=ack", "action=snooze").replace("snooze_for=2h", "snooze_for=99y"),
                sameOrigin).statusCode()).isEqualTo(400);
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(link)).method("DELETE", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        barrier("pg-csrf-barrier");
        assertThat(acks("pg-csrf")).isZero();
        assertThat(silences("pg-csrf")).isZero();

        // The page's own POST works; replayed, it answers "already recorded" and writes nothing more.
        HttpResponse<String> ok = post(http, good, Map.of("Origin", origin, "Content-Type", formType, "Accept",
                "application/json"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"result\":\"recorded\"").contains("lisi 已确认处理");
        HttpResponse<String> replay = post(http, good, Map.of("Origin", origin, "Content-Type", formType, "Accept",
                "application/json"));
        assertThat(replay.body()).contains("\"result\":\"already_recorded\"");
        String snooze = good.replace("action=ack", "action=snooze");
        Map<String, String> json = Map.of("Origin", origin, "Content-Type", formType, "Accept", "application/json");
        assertThat(post(http, snooze, json).body()).contains("\"result\":\"snoozed\"");
        assertThat(post(http, snooze, json).body()).contains("\"result\":\"already_recorded\"");
        await("the ack in ClickHouse", Duration.ofSeconds(30), () -> acks("pg-csrf") == 1);
        barrier("pg-csrf-barrier-2");
        assertThat(acks("pg-csrf")).isEqualTo(1);
        assertThat(stack.query("SELECT responder, action FROM salespulse.alert_acks FINAL WHERE alert_id = 'pg-csrf'"))
                .containsExactly("lisi|ack");
        assertThat(stack.query("SELECT author, source, dateDiff('minute', starts_at, ends_at) FROM salespulse.alert_silences"
                + " FINAL WHERE alert_id = 'pg-csrf'")).containsExactly("lisi|page|120");
    }

    /**
     * The page in a real browser: Debian's headless Chromium at 390x844 (a phone), through chromedriver and Selenium.
     * Screenshots go to target/screenshots/ (docs/img/alert-page.png is one of them).
     */
    @Nested
    class InAPhoneBrowser {
        static final String CHROMIUM = "/usr/bin/chromium";
        static final String CHROMEDRIVER = "/usr/bin/chromedriver";
        static final String PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/156.0 Mobile Safari/537.36 wxwork/4.1.30 MicroMessenger/7.0.1 Language/zh";
        WebDriver browser;

        @BeforeEach
        void openBrowser() {
            assertThat(Path.of(CHROMIUM)).as("apt-get install -y chromium chromium-driver fonts-noto-cjk").exists();
            assertThat(Path.of(CHROMEDRIVER)).as("apt-get install -y chromium chromium-driver").exists();
            ChromeOptions o = new ChromeOptions();
            o.setBinary(CHROMIUM);
            o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=zh-CN");
            o.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                    Map.of("width", 390, "height", 844, "pixelRatio", 2.0), "userAgent", PHONE_UA));
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File(CHROMEDRIVER)).usingAnyFreePort().build();
            browser = new ChromeDriver(service, o);
            browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        }

        @AfterEach
        void closeBrowser() {
            if (browser != null) {
                browser.quit();
            }
        }

        void screenshot(String name) throws Exception {
            Path dir = Path.of("target", "screenshots");
            java.nio.file.Files.createDirectories(dir);
            byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
            java.nio.file.Files.write(dir.resolve(name + ".png"), png);
        }

        WebElement waitFor(String css) {
            return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElement(By.cssSelector(css)));
        }

        @Test
        void theRepOpensTheLinkSeesTheCustomersCardsAcknowledgesAndSnoozes() throws Exception {
            String id = "stage_overdue:weijiang:c-00058:needs:browser";
            Instant due = Instant.now().minus(Duration.ofHours(5).plusMinutes(12));
            NotifierAlert a = new NotifierAlert(id, "stage_overdue", "high", "weijiang", "hz-west", "t-3", "r-007",
                    "c-00058", "needs", due, due, "【高潜客户待激活】客户 c-00058 「需求确认」后超时未推进",
                    "销售 r-007 负责的高潜客户 c-00058（预计金额 ¥10,500）提交「需求确认」卡后已超时未推进。",
                    "今天内电话确认需求细节，并预约方案演示。", 0, id);
            stack.execute("INSERT INTO salespulse.alerts (alert_id, type, severity, tenant, region, team, rep_id,"
                    + " customer_id, stage, due_at, fired_at, emitted_at, title, message, suggestion, ingested_at) VALUES"
                    + " ('" + id + "', 'stage_overdue', 'high', 'weijiang', 'hz-west', 't-3', 'r-007', 'c-00058', 'needs',"
                    + " now64(3) - INTERVAL 312 MINUTE, now64(3) - INTERVAL 312 MINUTE, now64(3), '" + a.title() + "', '"
                    + a.message() + "', '" + a.suggestion() + "', now64(3))");
            stack.execute("INSERT INTO salespulse.stage_events (event_id, tenant, occurred_at, customer_id, rep_id, region,"
                    + " team, stage, objection_tag, high_potential, deal_value, ingested_at) VALUES"
                    + " ('br-1', 'weijiang', now64(3) - INTERVAL 4 DAY, 'c-00058', 'r-007', 'hz-west', 't-3', 'contact', NULL, true, 10500, now64(3)),"
                    + " ('br-2', 'weijiang', now64(3) - INTERVAL 3 DAY, 'c-00058', 'r-007', 'hz-west', 't-3', 'needs', NULL, true, 10500, now64(3)),"
                    + " ('br-3', 'weijiang', now64(3) - INTERVAL 9 DAY, 'c-00058', 'r-003', 'hz-west', 't-3', 'objection', '价格高于竞品', true, NULL, now64(3)),"
                    + " ('br-x', 'weijiang', now64(3) - INTERVAL 1 DAY, 'c-99999', 'r-007', 'hz-west', 't-3', 'needs', NULL, false, NULL, now64(3))");
            stack.produce(config.topicAlerts, List.of(a), Instant.now());
            await("the message", Duration.ofSeconds(30),
                    () -> stub.received(KEY).stream().anyMatch(r -> r.content().contains("c-00058")));
            Matcher m = LINK.matcher(stub.received(KEY).stream().filter(r -> r.content().contains("c-00058")).findFirst()
                    .orElseThrow().content());
            assertThat(m.find()).isTrue();

            browser.get(m.group(1));
            assertThat(waitFor("#title").getText()).isEqualTo(a.title());
            assertThat(browser.findElements(By.cssSelector("#cards li"))).hasSize(3);
            assertThat(browser.findElement(By.id("cards")).getText()).contains("需求确认", "客户接触", "异议处理", "价格高于竞品")
                    .doesNotContain("c-99999");
            assertThat(browser.findElement(By.id("status")).getText()).contains("尚无人处理");
            assertThat(browser.findElement(By.id("recipient")).getText()).isEqualTo("lisi");
            // The page fits the phone: no horizontal scrolling.
            Object width = ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
            assertThat(((Number) width).intValue()).isLessThanOrEqualTo(390);
            screenshot("alert-page");

            browser.findElement(By.id("btn-ack")).click();
            assertThat(waitFor("#result").getText()).contains("lisi 已确认处理");
            screenshot("alert-page-acked");
            new Select(browser.findElement(By.id("snooze-for"))).selectByVisibleText("1 天");
            browser.findElement(By.id("btn-snooze")).click();
            // The result page replaces this one. While it loads, the old banner may be detached in ways Chrome
            // reports as a plain WebDriverException rather than staleness, so look the banner up afresh each try.
            new WebDriverWait(browser, Duration.ofSeconds(20)).ignoring(WebDriverException.class)
                    .until(d -> d.findElement(By.id("result")).getText().contains("已暂停提醒至"));
            assertThat(browser.findElement(By.id("status")).getText()).contains("lisi 已暂停提醒至");
            screenshot("alert-page-snoozed");

            await("the ack in ClickHouse", Duration.ofSeconds(30), () -> acks(id) == 1);
            assertThat(stack.query("SELECT responder, action FROM salespulse.alert_acks FINAL WHERE alert_id = '" + id + "'"))
                    .containsExactly("lisi|ack");
            assertThat(stack.query("SELECT author, source, dateDiff('minute', starts_at, ends_at) FROM"
                    + " salespulse.alert_silences FINAL WHERE alert_id = '" + id + "'")).containsExactly("lisi|page|1440");
            // Reloading the result shows the recorded state; the page's status reads it back from ClickHouse.
            browser.get(m.group(1));
            assertThat(waitFor("#status").getText()).contains("lisi 于").contains("确认处理").contains("暂停提醒至");
        }

        @Test
        void forgedAndExpiredLinksShowAClearPageAndOpeningAValidOneRecordsNothing() throws Exception {
            String link = deliver("pg-br-forged");
            browser.get(link.replace("to=lisi", "to=boss"));
            assertThat(waitFor("#error").getText()).contains("链接无效");
            assertThat(browser.findElements(By.id("btn-ack"))).isEmpty();
            screenshot("alert-page-forged");
            AlertLinks ours = new AlertLinks(NotifierTestStack.LINK_SECRET, origin, Duration.ofDays(7));
            browser.get(ours.url("pg-br-forged", "lisi", Instant.now().minus(Duration.ofDays(8))));
            assertThat(waitFor("#error").getText()).contains("链接已过期");
            screenshot("alert-page-expired");
            browser.get(link);
            assertThat(waitFor("#title").getText()).contains("pg-br-forged");
            barrier("pg-br-forged-barrier");
            assertThat(acks("pg-br-forged")).isZero();
            assertThat(silences("pg-br-forged")).isZero();
        }

        @Test
        void anotherSitesFormPostingToThePageIsRefused() throws Exception {
            String link = deliver("pg-br-csrf");
            browser.get(link);
            waitFor("#btn-ack");
            // Someone who has the link (forwarded) builds a form on another site with the page's fields and a token
            // from their own visit; the victim's browser submits it.
            String page = get(link, "Mozilla/5.0").body();
            StringBuilder inputs = new StringBuilder();
            Matcher f = Pattern.compile("<input type=\"hidden\"[^>]*>").matcher(page);
            while (f.find()) {
                inputs.append(f.group());
            }
            byte[] evil = ("<!doctype html><html><head><meta charset=\"utf-8\"></head><body><form id=\"f\" method=\"post\""
                    + " action=\"" + origin + "/alert\">" + inputs + "<button id=\"go\" name=\"action\" value=\"resolve\">"
                    + "领取红包</button></form></body></html>").getBytes(StandardCharsets.UTF_8);
            com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            other.createContext("/", ex -> {
                ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, evil.length);
                ex.getResponseBody().write(evil);
                ex.close();
            });
            other.start();
            try {
                browser.get("http://localhost:" + other.getAddress().getPort() + "/");
                waitFor("#go").click();
                assertThat(waitFor("#error").getText()).containsAnyOf("请求来源不符", "页面已失效");
            } finally {
                other.stop(0);
            }
            barrier("pg-br-csrf-barrier");
            assertThat(acks("pg-br-csrf")).isZero();
        }
    }
}
