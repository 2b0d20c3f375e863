package dev.tributary.local.esm;

import static dev.tributary.local.esm.KafkaRecords.ids;
import static dev.tributary.local.esm.KafkaRecords.records;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.local.esm.KafkaEvents.Answer;
import dev.tributary.local.esm.KafkaEvents.FunctionError;
import dev.tributary.local.esm.KafkaEvents.PartialFailure;
import dev.tributary.local.esm.KafkaEvents.Success;
import dev.tributary.local.esm.KafkaOnFailureRecord.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaDeliveryTest {
  private static final TopicPartition A0 = new TopicPartition("a", 0);
  private static final TopicPartition A1 = new TopicPartition("a", 1);

  private final List<List<String>> invoked = new ArrayList<>();
  private final List<GivenUp> givenUp = new ArrayList<>();
  private final Map<TopicPartition, Long> committable = new LinkedHashMap<>();
  private final List<Duration> pauses = new ArrayList<>();
  private long processed;
  private long failed;
  private long now = 1_000_000;
  private final AtomicBoolean stopping = new AtomicBoolean();

  private record GivenUp(List<String> ids, Condition condition, int invocations, Answer last) {}

  /** a-0 offsets 0..4 then a-1 offsets 10..12, as a batch comes: grouped by partition. */
  private static List<ConsumerRecord<byte[], byte[]>> twoPartitions() {
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(records("a", 0, 0, 5));
    batch.addAll(records("a", 1, 10, 13));
    return batch;
  }

  private KafkaDelivery delivery(
      MappingSettings settings,
      boolean destination,
      Function<List<ConsumerRecord<byte[], byte[]>>, Answer> function) {
    return new KafkaDelivery(
        settings,
        destination,
        batch -> {
          invoked.add(ids(batch));
          return function.apply(batch);
        },
        new KafkaDelivery.Listener() {
          @Override
          public void done(TopicPartition tp, long nextOffset, int count, boolean ok) {
            Long before = committable.put(tp, nextOffset);
            assertThat(before == null || before < nextOffset).as("offsets only grow").isTrue();
            if (ok) {
              processed += count;
            } else {
              failed += count;
            }
          }

          @Override
          public void givenUp(
              List<ConsumerRecord<byte[], byte[]>> records,
              Condition condition,
              int invocations,
              Answer last) {
            givenUp.add(new GivenUp(ids(records), condition, invocations, last));
          }
        },
        () -> now,
        stopping::get,
        pauses::add,
        Duration.ofMillis(100));
  }

  /** Unlimited retries and a maximum record age of one minute. */
  private static MappingSettings withMaximumAgeOfAMinute(boolean bisect) {
    return new MappingSettings(
        "f",
        100,
        Duration.ZERO,
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        -1,
        Duration.ofMinutes(1),
        bisect,
        true,
        1);
  }

  private static MappingSettings settings(int retries, boolean bisect) {
    return new MappingSettings(
        "f",
        100,
        Duration.ZERO,
        MappingSettings.StartingPosition.TRIM_HORIZON,
        null,
        retries,
        null,
        bisect,
        true,
        1);
  }

  @Test
  void aSuccessfulBatchIsInvokedOnceAndEveryPartitionIsDone() {
    delivery(settings(2, false), false, b -> new Success()).deliver(twoPartitions());
    assertThat(invoked).containsExactly(ids(twoPartitions()));
    assertThat(committable).containsExactly(Map.entry(A0, 5L), Map.entry(A1, 13L));
    assertThat(processed).isEqualTo(8);
    assertThat(givenUp).isEmpty();
  }

  /** A throttle uses no retry and splits nothing; it waits longer each time, then goes on. */
  @Test
  void aBatchLambdaDidNotInvokeIsTriedAgainWithBackoffWithoutUsingARetry() {
    int[] calls = {0};
    delivery(
            settings(0, true),
            true,
            b ->
                calls[0]++ < 3
                    ? new KafkaEvents.NotInvoked("TooManyRequestsException")
                    : new FunctionError("Unhandled: poison"))
        .deliver(records("a", 0, 0, 1));
    assertThat(invoked).hasSize(4);
    assertThat(pauses)
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.condition()).isEqualTo(Condition.RetryAttemptsExhausted);
              assertThat(g.invocations()).as("only the invocation that ran").isEqualTo(1);
              assertThat(g.last()).isInstanceOf(FunctionError.class);
            });
  }

  @Test
  void aBatchLambdaNeverInvokedIsGivenUpForItsAgeAsNotInvoked() {
    now = 11_000; // the records (timestamps 1,000 and 1,001) are 10 s old
    delivery(
            settings(0, true).withMaximumRecordAge(Duration.ofMinutes(1)),
            true,
            b -> {
              now += 30_000;
              return new KafkaEvents.NotInvoked("TooManyRequestsException");
            })
        .deliver(records("a", 0, 0, 2));
    assertThat(invoked).hasSize(2); // at 10 s and 40 s; past 60 s at 70 s
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.condition()).isEqualTo(Condition.RecordAgeExceeded);
              assertThat(g.invocations()).isZero();
              assertThat(g.last()).isNull();
            });
    assertThat(failed).isEqualTo(2);
  }

  @Test
  void aPartialFailureRetriesOnlyTheNamedPartitionFromTheNamedOffset() {
    int[] calls = {0};
    delivery(
            settings(2, false),
            false,
            b -> calls[0]++ == 0 ? new PartialFailure(Map.of(A0, 2L)) : new Success())
        .deliver(twoPartitions());
    assertThat(invoked).containsExactly(ids(twoPartitions()), List.of("a-0@2", "a-0@3", "a-0@4"));
    assertThat(committable).containsEntry(A0, 5L).containsEntry(A1, 13L);
    assertThat(processed).isEqualTo(8);
    assertThat(pauses).as("progress was made: no retry, no pause").isEmpty();
  }

  @Test
  void aPartialFailureAtTheFirstRecordCountsAsARetry() {
    delivery(settings(1, false), true, b -> new PartialFailure(Map.of(A0, 0L)))
        .deliver(records("a", 0, 0, 3));
    assertThat(invoked).hasSize(2);
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.condition()).isEqualTo(Condition.RetryAttemptsExhausted);
              assertThat(g.invocations()).isEqualTo(2);
              assertThat(g.last()).isInstanceOf(PartialFailure.class);
            });
    assertThat(committable).containsEntry(A0, 3L);
    assertThat(failed).isEqualTo(3);
  }

  @Test
  void anAnswerNamingARecordOutsideTheBatchFailsTheWholeBatch() {
    int[] calls = {0};
    delivery(
            settings(3, false),
            false,
            b -> calls[0]++ == 0 ? new PartialFailure(Map.of(A1, 99L)) : new Success())
        .deliver(twoPartitions());
    assertThat(invoked).containsExactly(ids(twoPartitions()), ids(twoPartitions()));
    assertThat(processed).isEqualTo(8);
  }

  @Test
  void aFunctionErrorIsRetriedWithBackoffUntilTheAttemptsAreUsedThenGivenUp() {
    delivery(settings(2, false), true, b -> new FunctionError("Unhandled: boom"))
        .deliver(twoPartitions());
    assertThat(invoked).hasSize(3); // the first try and two retries
    assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(givenUp)
        .containsExactly(
            new GivenUp(
                ids(twoPartitions()),
                Condition.RetryAttemptsExhausted,
                3,
                new FunctionError("Unhandled: boom")));
    assertThat(committable).containsEntry(A0, 5L).containsEntry(A1, 13L);
    assertThat(failed).isEqualTo(8);
  }

  @Test
  void infiniteRetriesBecomeTenWithAnOnFailureDestinationAndBackoffIsCapped() {
    delivery(settings(-1, false), true, b -> new FunctionError("x")).deliver(records("a", 0, 0, 1));
    assertThat(invoked).hasSize(11);
    assertThat(pauses)
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1600),
            Duration.ofMillis(3200),
            Duration.ofMillis(6400),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10));
    assertThat(givenUp).hasSize(1);
  }

  @Test
  void withoutADestinationInfiniteRetriesGoOnUntilTheMappingStops() {
    int[] calls = {0};
    delivery(
            settings(-1, false),
            false,
            b -> {
              if (++calls[0] == 25) {
                stopping.set(true);
              }
              return new FunctionError("x");
            })
        .deliver(records("a", 0, 0, 2));
    assertThat(invoked).hasSize(25);
    assertThat(givenUp).isEmpty();
    assertThat(committable).as("nothing done: delivered again after a restart").isEmpty();
  }

  @Test
  void bisectingIsolatesThePoisonRecordWithoutUsingRetries() {
    delivery(
            settings(2, true),
            true,
            b -> ids(b).contains("a-0@5") ? new FunctionError("poison") : new Success())
        .deliver(records("a", 0, 0, 8));
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.ids()).containsExactly("a-0@5");
              // every invocation with the record, as in the Kinesis mapping's record: the
              // batch, the halves [4..7] and [4, 5], then [5] alone and its 2 retries
              assertThat(g.invocations()).isEqualTo(6);
            });
    List<String> delivered = new ArrayList<>();
    for (List<String> b : invoked) {
      if (!b.contains("a-0@5")) {
        delivered.addAll(b);
      }
    }
    assertThat(delivered)
        .containsExactly("a-0@0", "a-0@1", "a-0@2", "a-0@3", "a-0@4", "a-0@6", "a-0@7");
    assertThat(invoked.stream().filter(b -> b.equals(List.of("a-0@5")))).hasSize(3);
    assertThat(committable).containsEntry(A0, 8L);
    assertThat(processed).isEqualTo(7);
    assertThat(failed).isEqualTo(1);
  }

  @Test
  void bisectingAMultiPartitionBatchKeepsEachPartitionInOrder() {
    delivery(
            settings(0, true),
            true,
            b -> ids(b).contains("a-1@11") ? new FunctionError("poison") : new Success())
        .deliver(twoPartitions());
    assertThat(givenUp)
        .singleElement()
        .satisfies(g -> assertThat(g.ids()).containsExactly("a-1@11"));
    assertThat(committable).containsEntry(A0, 5L).containsEntry(A1, 13L);
    assertThat(processed).isEqualTo(7);
  }

  @Test
  void recordsOlderThanTheMaximumAgeAreGivenUpBeforeAnInvocation() {
    MappingSettings s = withMaximumAgeOfAMinute(false);
    // records("a", p, from, to) stamps offset o at 1000 + o ms; now is 61,003 ms later than a-0@0
    now = 1_000 + 3 + 60_000;
    delivery(s, true, b -> new Success()).deliver(twoPartitions());
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.ids()).containsExactly("a-0@0", "a-0@1", "a-0@2");
              assertThat(g.condition()).isEqualTo(Condition.RecordAgeExceeded);
              assertThat(g.invocations()).isZero();
              assertThat(g.last()).isNull();
            });
    assertThat(invoked).containsExactly(List.of("a-0@3", "a-0@4", "a-1@10", "a-1@11", "a-1@12"));
    assertThat(committable).containsEntry(A0, 5L).containsEntry(A1, 13L);
  }

  @Test
  void recordsThatAgeWhileRetryingAreGivenUpThen() {
    MappingSettings s = withMaximumAgeOfAMinute(false);
    now = 1_000;
    delivery(
            s,
            false,
            b -> {
              now += 25_000;
              return new FunctionError("down");
            })
        .deliver(records("a", 0, 0, 2));
    assertThat(invoked).hasSize(3);
    assertThat(givenUp)
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.condition()).isEqualTo(Condition.RecordAgeExceeded);
              assertThat(g.invocations()).isEqualTo(3);
              assertThat(g.last()).isEqualTo(new FunctionError("down"));
            });
  }

  /**
   * Halves of a bisected batch that pass the maximum age before their first invocation were still
   * part of the batch's invocation: the record counts it and carries its answer (found in review:
   * each half started from no invocation and no answer, as if Lambda had never sent the records).
   */
  @Test
  void halvesGivenUpForTheirAgeCountTheInvocationsOfTheirBatch() {
    MappingSettings s = withMaximumAgeOfAMinute(true);
    now = 1_000;
    delivery(
            s,
            false,
            b -> {
              now += 120_000; // a long failing invocation: the records are two minutes old after it
              return new FunctionError("Unhandled: boom");
            })
        .deliver(records("a", 0, 0, 4));
    assertThat(invoked).hasSize(1);
    assertThat(givenUp)
        .hasSize(2)
        .allSatisfy(
            g -> {
              assertThat(g.condition()).isEqualTo(Condition.RecordAgeExceeded);
              assertThat(g.invocations()).isEqualTo(1);
              assertThat(g.last()).isEqualTo(new FunctionError("Unhandled: boom"));
            });
  }
}
