package dev.tributary.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Lists a Kinesis stream's open shards, so that the coordinator can declare them as splits before
 * their first batch (see {@code TRIBUTARY_SPLITS}): a shard whose first batch comes after another
 * shard's then still holds the watermark, and its first records are not late. The function's role
 * already has {@code kinesis:ListShards}: the event source mapping reads the stream with it.
 */
@FunctionalInterface
public interface ShardLister {
  /** The ids of the open shards (no ending sequence number) of the stream {@code streamArn}. */
  List<String> openShards(String streamArn);

  /** Lists with a client made on first use by {@code client}. */
  static ShardLister kinesis(Supplier<KinesisClient> client) {
    return new ShardLister() {
      private KinesisClient kinesis;

      @Override
      public synchronized List<String> openShards(String streamArn) {
        if (kinesis == null) {
          kinesis = client.get();
        }
        List<String> open = new ArrayList<>();
        String next = null;
        do {
          // a request with a NextToken must not name the stream
          ListShardsRequest request =
              next == null
                  ? ListShardsRequest.builder().streamARN(streamArn).build()
                  : ListShardsRequest.builder().nextToken(next).build();
          ListShardsResponse page = kinesis.listShards(request);
          for (Shard shard : page.shards()) {
            if (shard.sequenceNumberRange() == null
                || shard.sequenceNumberRange().endingSequenceNumber() == null) {
              open.add(shard.shardId());
            }
          }
          next = page.nextToken();
        } while (next != null);
        return open;
      }
    };
  }
}
