package dev.tributary.benchmarks.coldstart;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * Runs in a fresh JVM on the function jar's classpath, as a Lambda container would: constructs a
 * handler (the init phase), invokes it once (the first, cold invocation) and once more (warm), and
 * prints the three durations, measured from the JVM's start, as one line of JSON.
 *
 * <p>Arguments: the handler class, then "operator" (the argument is an operator request JSON) or
 * "tick" (a scheduled event).
 */
public final class ColdStartProbe {
  private ColdStartProbe() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    long mainStart = System.currentTimeMillis();
    Class<?> type = Class.forName(args[0]);
    Object handler = type.getConstructor().newInstance();
    long ready = System.currentTimeMillis();
    long first;
    long second;
    if (args[1].equals("operator")) {
      Method handle =
          type.getMethod(
              "handleRequest",
              java.io.InputStream.class,
              java.io.OutputStream.class,
              Class.forName("com.amazonaws.services.lambda.runtime.Context"));
      byte[] request = args[2].getBytes(StandardCharsets.UTF_8);
      long t0 = System.nanoTime();
      handle.invoke(handler, new ByteArrayInputStream(request), new ByteArrayOutputStream(), null);
      first = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      handle.invoke(handler, new ByteArrayInputStream(request), new ByteArrayOutputStream(), null);
      second = (System.nanoTime() - t0) / 1_000_000;
    } else {
      Class<?> eventType =
          Class.forName("com.amazonaws.services.lambda.runtime.events.ScheduledEvent");
      Method handle =
          type.getMethod(
              "handleRequest",
              eventType,
              Class.forName("com.amazonaws.services.lambda.runtime.Context"));
      Object event = eventType.getConstructor().newInstance();
      long t0 = System.nanoTime();
      handle.invoke(handler, event, null);
      first = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      handle.invoke(handler, event, null);
      second = (System.nanoTime() - t0) / 1_000_000;
    }
    System.out.println(
        "COLDSTART {\"jvmToMain\":"
            + (mainStart - jvmStart)
            + ",\"init\":"
            + (ready - mainStart)
            + ",\"first\":"
            + first
            + ",\"warm\":"
            + second
            + "}");
  }
}
