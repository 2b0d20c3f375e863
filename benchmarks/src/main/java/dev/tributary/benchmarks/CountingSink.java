package dev.tributary.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink that only counts, the counterpart of the counting consumer on the Tributary side, so
 * that both engines do the same work per output and the counts can be compared.
 */
final class CountingSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  /** Outputs of the last Flink run (one job at a time in this JVM). */
  static final AtomicLong COUNT = new AtomicLong();

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new SinkWriter<>() {
      private long count;

      @Override
      public void write(T element, Context ctx) {
        count++;
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {
        COUNT.addAndGet(count);
      }
    };
  }
}
