package io.eventhub.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a hub running in this JVM logs at WARN and above while the capture is open (every logger),
 * to assert that an expected condition is not reported as an error.
 */
public final class LogCapture implements AutoCloseable {
  private final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
        events.add(event);
      }
    }
  };

  private LogCapture() {
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
  }

  public static LogCapture start() {
    return new LogCapture();
  }

  /** The ERROR events so far, each as one line: logger, message and exception. */
  public List<String> errors() {
    return events.stream().filter(e -> e.getLevel() == Level.ERROR).map(LogCapture::describe).toList();
  }

  private static String describe(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    return event.getLoggerName() + ": " + event.getFormattedMessage()
        + (thrown == null ? "" : " (" + thrown.getClassName() + ": " + thrown.getMessage() + ")");
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
