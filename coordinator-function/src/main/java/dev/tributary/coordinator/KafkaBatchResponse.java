package dev.tributary.coordinator;

import java.util.ArrayList;
import java.util.List;

/**
 * The answer to a Kafka event source mapping with {@code ReportBatchItemFailures}: per partition
 * not fully committed, the offset to deliver again from ({@code partition} is {@code
 * topic-partitionNumber}). A bean, for Lambda's serializer.
 */
public final class KafkaBatchResponse {
  private List<Failure> batchItemFailures = new ArrayList<>();

  /** The failures. */
  public List<Failure> getBatchItemFailures() {
    return batchItemFailures;
  }

  /** Sets the failures. */
  public void setBatchItemFailures(List<Failure> failures) {
    this.batchItemFailures = failures;
  }

  /** One partition to resume. */
  public static final class Failure {
    private Identifier itemIdentifier;

    /** A failure at {@code partition} (topic-N), {@code offset}. */
    public Failure(String partition, long offset) {
      this.itemIdentifier = new Identifier(partition, offset);
    }

    /** For serializers. */
    public Failure() {}

    /** Where to resume. */
    public Identifier getItemIdentifier() {
      return itemIdentifier;
    }

    /** Sets where to resume. */
    public void setItemIdentifier(Identifier id) {
      this.itemIdentifier = id;
    }
  }

  /** A topic-partition and offset. */
  public static final class Identifier {
    private String partition;
    private long offset;

    /** An identifier. */
    public Identifier(String partition, long offset) {
      this.partition = partition;
      this.offset = offset;
    }

    /** For serializers. */
    public Identifier() {}

    /** {@code topic-partitionNumber}. */
    public String getPartition() {
      return partition;
    }

    /** Sets the partition. */
    public void setPartition(String partition) {
      this.partition = partition;
    }

    /** The offset to resume from. */
    public long getOffset() {
      return offset;
    }

    /** Sets the offset. */
    public void setOffset(long offset) {
      this.offset = offset;
    }
  }
}
