package dev.tributary.spi;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The state of one key of one operator: one cell per (state slot, namespace). Cells hold live
 * objects (a list state's cell holds a {@code java.util.List}, a map state's a {@code
 * java.util.Map}); serialization, if any, is the backend's business when it loads and persists the
 * entry. Writers mark the entry dirty so that a backend persists only what changed.
 */
public final class KeyedStateEntry {
  private final Object key;
  private Object[] values = new Object[2];
  private Map<Object, Object>[] namespaced;
  private final java.util.Set<Cell> dirtyCells = new java.util.LinkedHashSet<>();

  /**
   * Identifies one cell of an entry.
   *
   * @param slot the state's slot
   * @param namespace the namespace (a window, or {@link StateNamespace#VOID})
   */
  public record Cell(int slot, Object namespace) {}

  /** An empty entry for {@code key}. */
  public KeyedStateEntry(Object key) {
    this.key = key;
  }

  /** The key. */
  public Object key() {
    return key;
  }

  /** The cell of {@code slot} in {@code namespace}, or null. */
  public Object get(int slot, Object namespace) {
    if (namespace == StateNamespace.VOID) {
      return slot < values.length ? values[slot] : null;
    }
    if (namespaced == null || slot >= namespaced.length || namespaced[slot] == null) {
      return null;
    }
    return namespaced[slot].get(namespace);
  }

  /** Sets a cell; null removes it. Marks the entry dirty. */
  @SuppressWarnings("unchecked")
  public void put(int slot, Object namespace, Object value) {
    dirtyCells.add(new Cell(slot, namespace));
    if (value == null) {
      remove(slot, namespace);
      return;
    }
    if (namespace == StateNamespace.VOID) {
      if (slot >= values.length) {
        values = Arrays.copyOf(values, Math.max(slot + 1, values.length * 2));
      }
      values[slot] = value;
      return;
    }
    if (namespaced == null) {
      namespaced = new Map[Math.max(slot + 1, 2)];
    } else if (slot >= namespaced.length) {
      namespaced = Arrays.copyOf(namespaced, Math.max(slot + 1, namespaced.length * 2));
    }
    Map<Object, Object> cells = namespaced[slot];
    if (cells == null) {
      cells = new HashMap<>();
      namespaced[slot] = cells;
    }
    cells.put(namespace, value);
  }

  /** Removes a cell, returning its value or null. Marks the entry dirty. */
  public Object remove(int slot, Object namespace) {
    dirtyCells.add(new Cell(slot, namespace));
    if (namespace == StateNamespace.VOID) {
      if (slot >= values.length) {
        return null;
      }
      Object old = values[slot];
      values[slot] = null;
      return old;
    }
    if (namespaced == null || slot >= namespaced.length || namespaced[slot] == null) {
      return null;
    }
    return namespaced[slot].remove(namespace);
  }

  /** Marks a cell changed after its list or map was mutated in place. */
  public void markDirty(int slot, Object namespace) {
    dirtyCells.add(new Cell(slot, namespace));
  }

  /** Whether a cell changed since the last {@link #markClean()}. */
  public boolean isDirty() {
    return !dirtyCells.isEmpty();
  }

  /** The cells changed (written, removed or mutated) since the last {@link #markClean()}. */
  public java.util.Set<Cell> dirtyCells() {
    return java.util.Collections.unmodifiableSet(dirtyCells);
  }

  /** Called by a backend after it persisted the entry. */
  public void markClean() {
    dirtyCells.clear();
  }

  /** Whether the entry has no cells. */
  public boolean isEmpty() {
    for (Object value : values) {
      if (value != null) {
        return false;
      }
    }
    if (namespaced != null) {
      for (Map<Object, Object> cells : namespaced) {
        if (cells != null && !cells.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Visits every cell, e.g. to persist the entry. */
  public void forEachCell(CellVisitor visitor) {
    for (int slot = 0; slot < values.length; slot++) {
      if (values[slot] != null) {
        visitor.visit(slot, StateNamespace.VOID, values[slot]);
      }
    }
    if (namespaced != null) {
      for (int slot = 0; slot < namespaced.length; slot++) {
        if (namespaced[slot] == null) {
          continue;
        }
        Iterator<Map.Entry<Object, Object>> it = namespaced[slot].entrySet().iterator();
        while (it.hasNext()) {
          Map.Entry<Object, Object> cell = it.next();
          visitor.visit(slot, cell.getKey(), cell.getValue());
        }
      }
    }
  }

  /** Receives the cells of an entry. */
  @FunctionalInterface
  public interface CellVisitor {
    /** One cell. */
    void visit(int slot, Object namespace, Object value);
  }
}
