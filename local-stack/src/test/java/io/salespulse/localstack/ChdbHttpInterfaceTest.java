package io.salespulse.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What curl, Grafana's plugin and the Java clients see on the HTTP interface. */
class ChdbHttpInterfaceTest {

    @TempDir
    static Path tmp;
    static LocalClickHouse ch;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ch = LocalClickHouse.start(tmp.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (ch != null) {
            ch.close();
        }
    }

    static HttpResponse<String> post(String params, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ch.httpUrl() + "/" + (params.isEmpty() ? "" : "?" + params)))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("default:secret".getBytes()))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void answersLikeClickHouse() throws Exception {
        HttpResponse<String> r = post("", "SELECT 1", "X-ClickHouse-Query-Id", "q-123");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("1\n");
        assertThat(r.headers().firstValue("X-ClickHouse-Query-Id")).hasValue("q-123");
        assertThat(r.headers().firstValue("X-ClickHouse-Timezone")).hasValue("UTC");
        assertThat(r.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s).contains("read_rows"));
        assertThat(r.headers().firstValue("X-ClickHouse-Server-Display-Name")).isPresent();

        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(ch.httpUrl() + "/?query="
                + enc("SELECT 'a b' AS x FORMAT JSONEachRow"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.body()).isEqualTo("{\"x\":\"a b\"}\n");
    }

    @Test
    void databaseSettingsAndParametersApplyPerRequest() throws Exception {
        assertThat(post("database=system", "SELECT currentDatabase()").body()).isEqualTo("system\n");
        assertThat(post("", "SELECT currentDatabase()", "X-ClickHouse-Database", "system").body()).isEqualTo("system\n");
        assertThat(post("", "SELECT currentDatabase()").body()).isEqualTo("default\n");

        assertThat(post("max_threads=3", "SELECT getSetting('max_threads')").body()).isEqualTo("3\n");
        assertThat(post("", "SELECT getSetting('max_threads')").body()).isNotEqualTo("3\n");

        String value = "it's 中文";
        assertThat(post("param_v=" + enc(value) + "&default_format=JSONEachRow", "SELECT {v:String} AS v").body())
                .isEqualTo("{\"v\":\"it's 中文\"}\n");
    }

    @Test
    void insertWithQueryParameterAndRowsInTheBody() throws Exception {
        assertThat(post("", "CREATE TABLE IF NOT EXISTS ev (id UInt32, name String) ENGINE = MergeTree ORDER BY id")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> ins = post("query=" + enc("INSERT INTO ev FORMAT JSONEachRow"),
                "{\"id\":1,\"name\":\"一\"}\n{\"id\":2,\"name\":\"two\"}\n");
        assertThat(ins.statusCode()).isEqualTo(200);
        assertThat(ins.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(
                s -> assertThat(s).contains("\"written_rows\":\"2\""));
        assertThat(post("", "SELECT id, name FROM ev ORDER BY id FORMAT CSV").body()).isEqualTo("1,\"一\"\n2,\"two\"\n");
    }

    @Test
    void errorsCarryTheExceptionCode() throws Exception {
        HttpResponse<String> r = post("", "SELECT * FROM no_such_table");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("60");
        assertThat(r.body()).startsWith("Code: 60. DB::Exception:");

        HttpResponse<String> syntax = post("", "SELEC 1");
        assertThat(syntax.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("62");

        HttpResponse<String> db = post("database=nope", "SELECT 1");
        assertThat(db.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("81");
        assertThat(post("", "SELECT 2").body()).isEqualTo("2\n");
    }
}
