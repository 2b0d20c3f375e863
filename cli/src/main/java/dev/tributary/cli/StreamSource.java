package dev.tributary.cli;

import dev.tributary.local.esm.FunctionInvoker;
import dev.tributary.local.esm.MappingSettings;
import java.util.Iterator;
import java.util.List;

/**
 * The stream a local stack runs on: a Kinesis stream or a Kafka topic, the emulator serving it, and
 * how to write to it and map it to a function.
 */
public interface StreamSource extends AutoCloseable {
  /** Writes {@code events} in order, waiting until every one is stored. */
  void produce(Iterator<Workload.Event> events);

  /**
   * Starts an event source mapping of this stream delivering to {@code invoker}; {@code dynamoDb}
   * is the stack's DynamoDB endpoint (for a Kinesis mapping's lease table).
   */
  SourceMapping map(
      MappingSettings settings,
      FunctionInvoker invoker,
      java.net.URI dynamoDb,
      LocalStack.Builder options);

  /**
   * What the stream holds now: what a run that resumes on a kept stream ({@code --data-dir}) has
   * produced already.
   *
   * @param events every record, as key and payload, in no particular order
   * @param last each split's last record position (a Kinesis sequence number, a Kafka offset), by
   *     split name as in {@link #splits()}; a split holding no record is absent
   */
  record Stored(List<Workload.Event> events, java.util.Map<String, java.math.BigInteger> last) {}

  /** Reads back everything the stream holds now. */
  Stored stored();

  /** What the user should know about the stream as it was started (e.g. data restored). */
  default List<String> warnings() {
    return List.of();
  }

  /** The splits as the coordinator names them ({@code stream/shardId}, {@code topic-partition}). */
  List<String> splits();

  /** Child processes serving the stream (kinesis-local's pid), empty for in-process emulators. */
  List<Long> childPids();

  @Override
  void close();
}
