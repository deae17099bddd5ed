package io.salespulse.contract.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {

    @Test
    void countersGaugesAndHistogramsInTheTextFormat() {
        LabelledCounter posts = new LabelledCounter();
        posts.inc("route", "hz", "result", "ok");
        posts.add(2, "route", "hz", "result", "ok");
        posts.inc("route", "bj", "result", "rate_limited");
        LabelledCounter none = new LabelledCounter();
        Histogram latency = new Histogram(0.5, 1, 10);
        latency.observe(0.25);
        latency.observe(0.75);
        latency.observe(60);

        String text = new MetricsText()
                .counter("x_posts_total", "Posts", posts)
                .counter("x_never_total", "Nothing yet", none)
                .counter("x_retries_total", "Retries", 4)
                .gauge("x_up", "Up", 1)
                .gauge("x_polled_seconds", "Unix time", 1796215632.588)
                .gauge("x_backoff_seconds", "Backoff", Map.of(MetricsText.labels("route", "hz"), 1.5))
                .histogram("x_latency_seconds", "Latency", latency)
                .toString();

        assertThat(text).isEqualTo("""
                # HELP x_posts_total Posts
                # TYPE x_posts_total counter
                x_posts_total{route="bj",result="rate_limited"} 1
                x_posts_total{route="hz",result="ok"} 3
                # HELP x_never_total Nothing yet
                # TYPE x_never_total counter
                # HELP x_retries_total Retries
                # TYPE x_retries_total counter
                x_retries_total 4
                # HELP x_up Up
                # TYPE x_up gauge
                x_up 1
                # HELP x_polled_seconds Unix time
                # TYPE x_polled_seconds gauge
                x_polled_seconds 1796215632.588
                # HELP x_backoff_seconds Backoff
                # TYPE x_backoff_seconds gauge
                x_backoff_seconds{route="hz"} 1.5
                # HELP x_latency_seconds Latency
                # TYPE x_latency_seconds histogram
                x_latency_seconds_bucket{le="0.5"} 1
                x_latency_seconds_bucket{le="1.0"} 2
                x_latency_seconds_bucket{le="10.0"} 2
                x_latency_seconds_bucket{le="+Inf"} 3
                x_latency_seconds_sum 61.0
                x_latency_seconds_count 3
                """);
        assertThat(posts.get("route", "hz", "result", "ok")).isEqualTo(3);
        assertThat(posts.total()).isEqualTo(4);
        assertThat(latency.count()).isEqualTo(3);
    }

    @Test
    void labelValuesAreEscaped() {
        assertThat(MetricsText.labels("route", "a\"b\\c\nd", "x", null)).isEqualTo("route=\"a\\\"b\\\\c\\nd\",x=\"\"");
    }
}
