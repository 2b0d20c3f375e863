package dev.tributary.cli;

import dev.tributary.operator.RuntimeSettings;
import java.util.Iterator;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A running deployment of one job that a {@link JobRun} drives: the embedded {@link LocalStack}, or
 * the job deployed to a LocalStack ({@link LocalStackDeployment}).
 */
public interface JobStack extends AutoCloseable {
  /** The DynamoDB client of the job's tables. */
  DynamoDbClient dynamo();

  /** The functions' settings (job, tables, slots). */
  RuntimeSettings settings();

  /** Writes {@code events} to the stream, in order, waiting until every one is stored. */
  void produce(Iterator<Workload.Event> events);

  /** The event source mapping's progress ({@code recordsDelivered} -1 when unknown). */
  MappingProgress progress();

  /** The stream's splits as the coordinator names them (for checkpoints and watermarks). */
  List<String> splits();

  /** How many times {@code function} was invoked, -1 when unknown. */
  long invocations(String function);

  /**
   * Records the job's windows dropped as late (after the watermark and the allowed lateness), as
   * the slots reported them to the coordinator; -1 when this stack does not see the slots' answers.
   */
  default long lateRecordsDropped() {
    return -1;
  }

  /**
   * Transactions the slots committed since this stack started, as their answers report them; -1
   * when this stack does not see the slots' answers.
   */
  default long epochsCommitted() {
    return -1;
  }

  /**
   * Commits the slots redid after losing to a concurrent writer (another split's commit to the same
   * slot changed a key or the slot's timer item first), as their answers report them; -1 when this
   * stack does not see the slots' answers.
   */
  default long conflicts() {
    return -1;
  }

  /**
   * Commits the slots sent again after losing only the slot's timer item to another split, with the
   * item merged instead of the epoch redone (docs/protocol.md), as their answers report them; -1
   * when this stack does not see the slots' answers.
   */
  default long timerItemMerges() {
    return -1;
  }

  /** Stops everything this stack started or created. */
  @Override
  void close();
}
