package dev.tributary.spi;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link TimerQueue} on the heap: a binary min-heap by (timestamp, registration order) with an
 * index, so that add, remove and poll are all O(log n) and duplicates are found in O(1).
 */
public final class HeapTimerQueue implements TimerQueue {
  private static final class Node {
    final Timer timer;
    final long sequence;
    int index;

    Node(Timer timer, long sequence) {
      this.timer = timer;
      this.sequence = sequence;
    }
  }

  private final Map<Timer, Node> index = new HashMap<>();
  private Node[] heap = new Node[16];
  private int size;
  private long sequence;

  @Override
  public boolean add(Timer timer) {
    if (index.containsKey(timer)) {
      return false;
    }
    Node node = new Node(timer, sequence++);
    index.put(timer, node);
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = node;
    node.index = size;
    size++;
    siftUp(node.index);
    return true;
  }

  @Override
  public boolean remove(Timer timer) {
    Node node = index.remove(timer);
    if (node == null) {
      return false;
    }
    removeAt(node.index);
    return true;
  }

  @Override
  public Timer pollOfKey(Object key, long upTo) {
    Node earliest = null;
    for (Node node : index.values()) {
      if (node.timer.timestamp() <= upTo
          && java.util.Objects.equals(node.timer.key(), key)
          && (earliest == null
              || node.timer.timestamp() < earliest.timer.timestamp()
              || (node.timer.timestamp() == earliest.timer.timestamp()
                  && node.sequence < earliest.sequence))) {
        earliest = node;
      }
    }
    if (earliest == null) {
      return null;
    }
    remove(earliest.timer);
    return earliest.timer;
  }

  @Override
  public Timer peek() {
    return size == 0 ? null : heap[0].timer;
  }

  @Override
  public Timer poll() {
    if (size == 0) {
      return null;
    }
    Node head = heap[0];
    index.remove(head.timer);
    removeAt(0);
    return head.timer;
  }

  @Override
  public int size() {
    return size;
  }

  private void removeAt(int i) {
    size--;
    if (i == size) {
      heap[size] = null;
      return;
    }
    Node last = heap[size];
    heap[size] = null;
    heap[i] = last;
    last.index = i;
    siftDown(i);
    if (heap[i] == last) {
      siftUp(i);
    }
  }

  private static boolean less(Node a, Node b) {
    long ta = a.timer.timestamp();
    long tb = b.timer.timestamp();
    return ta < tb || (ta == tb && a.sequence < b.sequence);
  }

  private void siftUp(int i) {
    Node node = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Node p = heap[parent];
      if (!less(node, p)) {
        break;
      }
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = node;
    node.index = i;
  }

  private void siftDown(int i) {
    Node node = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && less(heap[right], heap[child])) {
        child = right;
      }
      if (!less(heap[child], node)) {
        break;
      }
      heap[i] = heap[child];
      heap[i].index = i;
      i = child;
    }
    heap[i] = node;
    node.index = i;
  }
}
