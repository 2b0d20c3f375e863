package dev.tributary.local.dynamodb;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fault to inject into matching requests: by operation, table and key, for a number of requests
 * (or for all). The action is an error, a delay, or <em>apply then drop the response</em>: the
 * write commits but the client never gets an answer, the case that breaks naive exactly-once.
 *
 * <pre>{@code
 * local.faults().add(FaultRule.on("TransactWriteItems").table("state").times(1)
 *     .applyThenDropResponse());
 * }</pre>
 */
public final class FaultRule {
  /** What happens to a matching request. */
  public enum Action {
    /** Fail with {@link #error()} before doing anything. */
    FAIL,
    /** Wait {@link #delay()}, then serve normally. */
    DELAY,
    /** Serve the request (writes commit), then close the connection without a response. */
    APPLY_THEN_DROP_RESPONSE
  }

  private final String operation;
  private String table;
  private final Map<String, String> key = new LinkedHashMap<>();
  private int times = -1;
  private Action action = Action.FAIL;
  private FaultError error = FaultError.INTERNAL_SERVER_ERROR;
  private Duration delay = Duration.ZERO;
  private final AtomicInteger triggered = new AtomicInteger();
  private final AtomicInteger remaining = new AtomicInteger(-1);
  private final AtomicInteger skip = new AtomicInteger();

  private FaultRule(String operation) {
    this.operation = operation;
  }

  /** A rule for requests of {@code operation} (e.g. "PutItem"), or any operation when null. */
  public static FaultRule on(String operation) {
    return new FaultRule(operation);
  }

  /** Only requests that touch {@code tableName}. */
  public FaultRule table(String tableName) {
    this.table = Objects.requireNonNull(tableName, "tableName");
    return this;
  }

  /**
   * Only requests that touch an item whose key attribute {@code attribute} has the string or number
   * text {@code value}; repeat for composite keys.
   */
  public FaultRule key(String attribute, String value) {
    key.put(Objects.requireNonNull(attribute), Objects.requireNonNull(value));
    return this;
  }

  /** Applies to the next {@code n} matching requests only (default: all). */
  public FaultRule times(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("times is " + n + "; it must be at least 1");
    }
    this.times = n;
    this.remaining.set(n);
    return this;
  }

  /**
   * Lets the first {@code n} matching requests through untouched; the rule applies from the next
   * one (to hit, say, the third commit of a run).
   */
  public FaultRule after(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("after is " + n + "; it must be at least 0");
    }
    this.skip.set(n);
    return this;
  }

  /** Fails matching requests with {@code error}. */
  public FaultRule failWith(FaultError error) {
    this.action = Action.FAIL;
    this.error = Objects.requireNonNull(error, "error");
    return this;
  }

  /** Delays matching requests by {@code delay}. */
  public FaultRule delay(Duration delay) {
    this.action = Action.DELAY;
    this.delay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /** Applies matching requests, then drops their responses. */
  public FaultRule applyThenDropResponse() {
    this.action = Action.APPLY_THEN_DROP_RESPONSE;
    return this;
  }

  /** The operation, or null for any. */
  public String operation() {
    return operation;
  }

  /** The table, or null for any. */
  public String table() {
    return table;
  }

  /** The key attributes to match (empty for any item). */
  public Map<String, String> key() {
    return Map.copyOf(key);
  }

  /** The action. */
  public Action action() {
    return action;
  }

  /** The error of {@link Action#FAIL}. */
  public FaultError error() {
    return error;
  }

  /** The delay of {@link Action#DELAY}. */
  public Duration delay() {
    return delay;
  }

  /** How many requests the rule has hit. */
  public int triggered() {
    return triggered.get();
  }

  /** Whether the rule can still fire. */
  public boolean active() {
    return times < 0 || remaining.get() > 0;
  }

  /** Takes one use of the rule; false if it is used up. */
  boolean claim() {
    while (true) {
      int left = skip.get();
      if (left <= 0) {
        break;
      }
      if (skip.compareAndSet(left, left - 1)) {
        return false;
      }
    }
    if (times >= 0) {
      while (true) {
        int left = remaining.get();
        if (left <= 0) {
          return false;
        }
        if (remaining.compareAndSet(left, left - 1)) {
          break;
        }
      }
    }
    triggered.incrementAndGet();
    return true;
  }

  @Override
  public String toString() {
    return "FaultRule["
        + (operation == null ? "*" : operation)
        + (table == null ? "" : " table=" + table)
        + (key.isEmpty() ? "" : " key=" + key)
        + " "
        + action
        + (action == Action.FAIL ? " " + error : action == Action.DELAY ? " " + delay : "")
        + (times < 0 ? "" : " times=" + times)
        + "]";
  }
}
