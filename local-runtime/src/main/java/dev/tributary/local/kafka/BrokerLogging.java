package dev.tributary.local.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded broker quiet without shipping a logging backend: Kafka logs through SLF4J to
 * whatever backend the application has, so its broker loggers are set to WARN on that backend
 * (Logback, Log4j 2, reload4j, java.util.logging or slf4j-simple, found by reflection) unless the
 * application's configuration names them. Kafka's log-level endpoint also touches the Log4j API,
 * which without any Log4j provider prints an error line; it then gets Log4j's built-in simple
 * provider (the one it falls back to anyway) named explicitly.
 */
final class BrokerLogging {
  /** The broker's loggers; the last three are shared with clients but filled by the broker. */
  static final List<String> LOGGERS =
      List.of(
          "kafka",
          "state.change.logger",
          "org.apache.kafka.server",
          "org.apache.kafka.controller",
          "org.apache.kafka.coordinator",
          "org.apache.kafka.raft",
          "org.apache.kafka.metadata",
          "org.apache.kafka.image",
          "org.apache.kafka.storage",
          "org.apache.kafka.network",
          "org.apache.kafka.queue",
          "org.apache.kafka.snapshot",
          "org.apache.kafka.timeline",
          "org.apache.kafka.security",
          "org.apache.kafka.deferred",
          "org.apache.kafka.common.config.AbstractConfig",
          "org.apache.kafka.common.metrics.Metrics",
          "org.apache.kafka.common.utils.internals.AppInfoParser");

  /** java.util.logging holds loggers weakly: the levels set here must not be collected. */
  private static final List<java.util.logging.Logger> JUL_LOGGERS = new ArrayList<>();

  private static boolean providerChecked;
  private static boolean quieted;

  private BrokerLogging() {}

  /** Before a broker starts: avoids Log4j's missing-provider message; {@code quiet}: WARN. */
  static synchronized void prepare(boolean quiet) {
    if (!providerChecked) {
      providerChecked = true;
      nameLog4jProviderIfNone();
    }
    if (!quiet || quieted) {
      return;
    }
    quieted = true;
    ClassLoader cl = KafkaLocal.class.getClassLoader();
    try {
      String factory = LoggerFactory.getILoggerFactory().getClass().getName();
      switch (factory) {
        case "ch.qos.logback.classic.LoggerContext" -> logback(cl);
        case "org.apache.logging.slf4j.Log4jLoggerFactory" -> log4j2(cl);
        case "org.slf4j.simple.SimpleLoggerFactory", "org.slf4j.impl.SimpleLoggerFactory" ->
            simple(cl);
        case "org.slf4j.jul.JDK14LoggerFactory", "org.slf4j.impl.JDK14LoggerFactory" -> jul();
        case "org.slf4j.reload4j.Reload4jLoggerFactory", "org.slf4j.impl.Log4jLoggerFactory" ->
            reload4j(cl);
        default -> {
          // NOP or an unknown backend: left as it is
        }
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LoggerFactory.getLogger(KafkaLocal.class)
          .debug("cannot set the embedded broker's log levels; they stay as configured", e);
    }
  }

  private static void logback(ClassLoader cl) throws ReflectiveOperationException {
    Class<?> loggerClass = Class.forName("ch.qos.logback.classic.Logger", true, cl);
    Class<?> levelClass = Class.forName("ch.qos.logback.classic.Level", true, cl);
    Object warn = levelClass.getField("WARN").get(null);
    Method getLevel = loggerClass.getMethod("getLevel");
    Method setLevel = loggerClass.getMethod("setLevel", levelClass);
    for (String name : LOGGERS) {
      Object logger = LoggerFactory.getLogger(name);
      if (loggerClass.isInstance(logger) && getLevel.invoke(logger) == null) {
        setLevel.invoke(logger, warn);
      }
    }
  }

  private static void log4j2(ClassLoader cl) throws ReflectiveOperationException {
    Class<?> logManager = Class.forName("org.apache.logging.log4j.LogManager", true, cl);
    Class<?> coreContext = Class.forName("org.apache.logging.log4j.core.LoggerContext", true, cl);
    Class<?> configuration =
        Class.forName("org.apache.logging.log4j.core.config.Configuration", true, cl);
    Class<?> configurator =
        Class.forName("org.apache.logging.log4j.core.config.Configurator", true, cl);
    Class<?> levelClass = Class.forName("org.apache.logging.log4j.Level", true, cl);
    Object context = logManager.getMethod("getContext", boolean.class).invoke(null, false);
    if (!coreContext.isInstance(context)) {
      return;
    }
    Object config = coreContext.getMethod("getConfiguration").invoke(context);
    Map<?, ?> configured = (Map<?, ?>) configuration.getMethod("getLoggers").invoke(config);
    Method setLevel = configurator.getMethod("setLevel", String.class, levelClass);
    Object warn = levelClass.getField("WARN").get(null);
    for (String name : LOGGERS) {
      if (!configured.containsKey(name)) {
        setLevel.invoke(null, name, warn);
      }
    }
  }

  private static void simple(ClassLoader cl) {
    // slf4j-simple reads a logger's level when the logger is made, system properties first
    Properties file = new Properties();
    try (InputStream in = cl.getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        file.load(in);
      }
    } catch (IOException e) {
      // no file: nothing configured there
    }
    for (String name : LOGGERS) {
      String key = "org.slf4j.simpleLogger.log." + name;
      if (System.getProperty(key) == null && file.getProperty(key) == null) {
        System.setProperty(key, "warn");
      }
    }
  }

  private static void jul() {
    java.util.logging.LogManager manager = java.util.logging.LogManager.getLogManager();
    for (String name : LOGGERS) {
      java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
      if (logger.getLevel() == null && manager.getProperty(name + ".level") == null) {
        logger.setLevel(java.util.logging.Level.WARNING);
        JUL_LOGGERS.add(logger);
      }
    }
  }

  private static void reload4j(ClassLoader cl) throws ReflectiveOperationException {
    Class<?> loggerClass = Class.forName("org.apache.log4j.Logger", true, cl);
    Class<?> levelClass = Class.forName("org.apache.log4j.Level", true, cl);
    Object warn = levelClass.getField("WARN").get(null);
    Method getLogger = loggerClass.getMethod("getLogger", String.class);
    Method getLevel = loggerClass.getMethod("getLevel");
    Method setLevel = loggerClass.getMethod("setLevel", levelClass);
    for (String name : LOGGERS) {
      Object logger = getLogger.invoke(null, name);
      if (getLevel.invoke(logger) == null) {
        setLevel.invoke(logger, warn);
      }
    }
  }

  /**
   * Kafka's log-level endpoint initializes the Log4j API; with no Log4j provider on the class path
   * (as here: log4j-core is not shipped) the API prints "ERROR ... could not find a logging
   * provider" and falls back to its simple provider. Naming that provider avoids the message.
   */
  private static void nameLog4jProviderIfNone() {
    try {
      if (System.getProperty("log4j.provider") != null
          || System.getProperty("log4j2.provider") != null
          || System.getProperty("log4j2.loggerContextFactory") != null) {
        return;
      }
      ClassLoader cl = KafkaLocal.class.getClassLoader();
      if (cl.getResource("META-INF/services/org.apache.logging.log4j.spi.Provider") != null
          || cl.getResource("META-INF/log4j-provider.properties") != null) {
        return;
      }
      String simple = "org.apache.logging.log4j.simple.internal.SimpleProvider";
      if (cl.getResource(simple.replace('.', '/') + ".class") != null) {
        System.setProperty("log4j.provider", simple);
      }
    } catch (SecurityException e) {
      // cannot read or set properties: the message may appear, nothing else changes
    }
  }
}
