package io.salespulse.notifier;

import java.io.StringWriter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything logged while installed, with stack traces, so a test can scan it for secrets. */
final class CapturedLogs implements AutoCloseable {
    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;

    CapturedLogs() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        appender = WriterAppender.newBuilder().setName("captured-" + System.nanoTime()).setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m %ex%n").build()).build();
        appender.start();
        cfg.addAppender(appender);
        cfg.getRootLogger().addAppender(appender, null, null);
        for (LoggerConfig lc : cfg.getLoggers().values()) {
            if (lc != cfg.getRootLogger()) {
                lc.addAppender(appender, null, null);
            }
        }
        ctx.updateLoggers();
    }

    synchronized String text() {
        return out.toString();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        for (LoggerConfig lc : cfg.getLoggers().values()) {
            lc.removeAppender(appender.getName());
        }
        cfg.getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }
}
