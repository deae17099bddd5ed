package io.salespulse.notifier.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.salespulse.notifier.wecom.WeComResult;
import io.salespulse.notifier.wecom.WeComResult.Kind;
import org.junit.jupiter.api.Test;

class NotifierMetricsTest {

    @Test
    void everyWeComAnswerHasItsResultLabel() {
        assertThat(NotifierMetrics.resultClass(WeComResult.delivered())).isEqualTo("ok");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "wecom_45009", ""))).isEqualTo("rate_limited");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "http_429", ""))).isEqualTo("rate_limited");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.PERMANENT, "wecom_93000", ""))).isEqualTo("bad_key");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "http_500", ""))).isEqualTo("http_error");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.PERMANENT, "http_404", ""))).isEqualTo("http_error");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "timeout", ""))).isEqualTo("unreachable");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "io_error", ""))).isEqualTo("unreachable");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.PERMANENT, "wecom_40058", ""))).isEqualTo("other");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "bad_reply", ""))).isEqualTo("other");
        assertThat(NotifierMetrics.resultClass(new WeComResult(Kind.RETRY, "wecom_-1", ""))).isEqualTo("other");
    }
}
