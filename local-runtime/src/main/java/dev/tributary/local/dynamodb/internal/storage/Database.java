package dev.tributary.local.dynamodb.internal.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The tables of one endpoint and the lock that makes every operation atomic: reads share it, writes
 * (and whole transactions) hold it exclusively, so concurrent requests are serializable.
 */
public final class Database {
  private final Map<String, Table> tables = new TreeMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** The lock: read lock for reads, write lock for writes and transactions. */
  public ReentrantReadWriteLock lock() {
    return lock;
  }

  /** The table named {@code name}, or null. Call under the lock. */
  public Table table(String name) {
    return tables.get(name);
  }

  /** Adds a table. Call under the write lock. */
  public void add(String name, Table table) {
    tables.put(name, table);
  }

  /** Removes a table. Call under the write lock. */
  public Table remove(String name) {
    return tables.remove(name);
  }

  /** Table names in order. Call under the lock. */
  public List<String> names() {
    return new ArrayList<>(tables.keySet());
  }

  /** All tables by name. Call under the lock. */
  public Map<String, Table> tables() {
    return tables;
  }
}
