package dev.tributary.state.dynamodb.internal;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/** The writes of one epoch, in the order they go into the transaction, with their size. */
public final class ChangeSet {
  final List<TransactWriteItem> items = new ArrayList<>();
  final List<Runnable> onCommit = new ArrayList<>();
  long bytes;

  /** Adds a write of about {@code size} bytes. */
  public void add(TransactWriteItem item, long size) {
    items.add(item);
    bytes += size;
  }

  /** Runs {@code action} once the transaction committed. */
  public void onCommit(Runnable action) {
    onCommit.add(action);
  }

  /** The writes. */
  public List<TransactWriteItem> items() {
    return items;
  }

  /** The approximate request size. */
  public long bytes() {
    return bytes;
  }

  /** Applies the after-commit bookkeeping. */
  public void committed() {
    onCommit.forEach(Runnable::run);
  }
}
