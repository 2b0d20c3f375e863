package dev.tributary.local.esm;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A function for the mapping's tests: it reads each event the way the Lambda Java runtime hands a
 * {@code KinesisEvent} to a handler (the runtime's own serializer), records the invocation and
 * answers what {@link #answer} says (by default: success).
 */
final class RecordingFunction implements FunctionInvoker {
  static final PojoSerializer<KinesisEvent> EVENTS =
      LambdaEventSerializers.serializerFor(KinesisEvent.class, KinesisEvent.class.getClassLoader());

  /** One invocation: its order among all, the records, and whether it was answered a failure. */
  record Invocation(int order, List<KinesisEvent.KinesisEventRecord> records, Result result) {
    List<String> texts() {
      return records.stream().map(RecordingFunction::text).toList();
    }

    boolean succeeded() {
      return result instanceof Returned r
          && !new String(r.payload(), StandardCharsets.UTF_8).contains("itemIdentifier");
    }

    String shardId() {
      String id = records.get(0).getEventID();
      return id.substring(0, id.indexOf(':'));
    }
  }

  private final List<Invocation> invocations = new ArrayList<>();
  private final AtomicInteger order = new AtomicInteger();
  private volatile Function<List<KinesisEvent.KinesisEventRecord>, Result> answer =
      records -> success();

  static Result success() {
    return new Returned("{\"batchItemFailures\":[]}".getBytes(StandardCharsets.UTF_8));
  }

  static Result failFrom(String sequenceNumber) {
    return new Returned(
        ("{\"batchItemFailures\":[{\"itemIdentifier\":\"" + sequenceNumber + "\"}]}")
            .getBytes(StandardCharsets.UTF_8));
  }

  static Result unhandled(String message) {
    return new Failed(
        "Unhandled: {\"errorMessage\":\"" + message + "\",\"errorType\":\"RuntimeException\"}");
  }

  static String shardOf(KinesisEvent.KinesisEventRecord r) {
    return r.getEventID().substring(0, r.getEventID().indexOf(':'));
  }

  static String text(KinesisEvent.KinesisEventRecord r) {
    ByteBuffer data = r.getKinesis().getData().duplicate();
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  RecordingFunction answer(Function<List<KinesisEvent.KinesisEventRecord>, Result> answer) {
    this.answer = answer;
    return this;
  }

  @Override
  public Result invoke(String function, byte[] payload) {
    KinesisEvent event = EVENTS.fromJson(new ByteArrayInputStream(payload));
    List<KinesisEvent.KinesisEventRecord> records = List.copyOf(event.getRecords());
    int at = order.getAndIncrement();
    Result result = answer.apply(records);
    synchronized (this) {
      invocations.add(new Invocation(at, records, result));
    }
    return result;
  }

  synchronized List<Invocation> invocations() {
    List<Invocation> copy = new ArrayList<>(invocations);
    copy.sort((a, b) -> Integer.compare(a.order(), b.order()));
    return copy;
  }

  /** The texts of the records of every successful invocation, in invocation order. */
  List<String> deliveredTexts() {
    List<String> out = new ArrayList<>();
    for (Invocation i : invocations()) {
      if (i.succeeded()) {
        out.addAll(i.texts());
      }
    }
    return out;
  }
}
