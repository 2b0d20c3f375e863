package dev.tributary.graph;

/**
 * Where a source's records come from; the runtime binds the logical source name to the real one.
 */
public enum SourceKind {
  /** A Kinesis data stream (unbounded). */
  KINESIS,
  /** A Kafka topic (unbounded). */
  KAFKA,
  /** Elements given in the program (bounded). */
  COLLECTION,
  /** A file of JSON objects, one per line (bounded). */
  JSON_LINES,
  /** A CSV file with a header line (bounded). */
  CSV;

  /** Whether the source ends. */
  public boolean bounded() {
    return this == COLLECTION || this == JSON_LINES || this == CSV;
  }
}
