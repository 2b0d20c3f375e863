package dev.tributary.local.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Reading a shard in tests. */
public final class KinesisReads {
  private KinesisReads() {}

  /** The records from {@code iterator} on, page by page until an empty page (at most 20 pages). */
  public static List<Record> readFrom(KinesisClient client, String iterator) {
    List<Record> records = new ArrayList<>();
    String next = iterator;
    for (int page = 0; page < 20 && next != null; page++) {
      String current = next;
      GetRecordsResponse response = client.getRecords(r -> r.shardIterator(current));
      records.addAll(response.records());
      if (response.records().isEmpty()) {
        break;
      }
      next = response.nextShardIterator();
    }
    return records;
  }
}
