package io.salespulse.producers.gateway;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Every log line of the test JVM while it is attached ("logger message"), to check what the gateway logs. */
final class LogCapture implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;

    private LogCapture(String name) {
        appender = new AbstractAppender(name, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLoggerName() + " " + event.getMessage().getFormattedMessage());
            }
        };
    }

    static LogCapture start(String name) {
        LogCapture capture = new LogCapture(name);
        capture.appender.start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(capture.appender, Level.ALL, null);
        ctx.updateLoggers();
        return capture;
    }

    List<String> lines() {
        return lines;
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
    }
}
