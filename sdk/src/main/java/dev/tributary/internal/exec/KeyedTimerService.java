package dev.tributary.internal.exec;

import dev.tributary.functions.TimerService;
import dev.tributary.spi.StateNamespace;
import dev.tributary.spi.Timer;

/** The timers of a keyed process function's current key. */
final class KeyedTimerService implements TimerService {
  private final KeyedNode node;

  KeyedTimerService(KeyedNode node) {
    this.node = node;
  }

  @Override
  public long currentProcessingTime() {
    return node.context.clock.currentTimeMillis();
  }

  @Override
  public long currentWatermark() {
    return node.keyWatermark();
  }

  private Timer timer(long time) {
    return new Timer(time, node.keys.key(), StateNamespace.VOID);
  }

  @Override
  public void registerEventTimeTimer(long time) {
    node.eventTimers.add(timer(time));
  }

  @Override
  public void registerProcessingTimeTimer(long time) {
    node.processingTimers.add(timer(time));
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    node.eventTimers.remove(timer(time));
  }

  @Override
  public void deleteProcessingTimeTimer(long time) {
    node.processingTimers.remove(timer(time));
  }
}
