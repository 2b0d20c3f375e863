package dev.tributary;

import dev.tributary.eventtime.WatermarkStrategy;
import dev.tributary.functions.FilterFunction;
import dev.tributary.functions.FlatMapFunction;
import dev.tributary.functions.KeySelector;
import dev.tributary.functions.MapFunction;
import dev.tributary.functions.ProcessFunction;
import dev.tributary.graph.FilterSpec;
import dev.tributary.graph.FlatMapSpec;
import dev.tributary.graph.KeyBySpec;
import dev.tributary.graph.MapSpec;
import dev.tributary.graph.OperatorSpec;
import dev.tributary.graph.ProcessSpec;
import dev.tributary.graph.SideOutputSpec;
import dev.tributary.graph.SinkSpec;
import dev.tributary.graph.UnionSpec;
import dev.tributary.graph.WatermarkSpec;
import dev.tributary.internal.graph.KeyTypes;
import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stream of elements, as Flink's {@code DataStream}: each method adds an operator to the job and
 * returns the stream it produces. {@link #uid} and {@link #name} apply to the operator that
 * produced this stream.
 *
 * @param <T> element type
 */
public class DataStream<T> {
  private static final Pattern UID = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  final StreamEnvironment env;
  final int nodeId;

  DataStream(StreamEnvironment env, int nodeId) {
    this.env = env;
    this.nodeId = nodeId;
  }

  /** Transforms each element into one. */
  public <R> DataStream<R> map(MapFunction<T, R> mapper) {
    return add(new MapSpec(require(mapper, "map", "mapper")), "Map");
  }

  /** Keeps the elements for which {@code filter} returns true. */
  public DataStream<T> filter(FilterFunction<T> filter) {
    DataStream<T> out = add(new FilterSpec(require(filter, "filter", "filter")), "Filter");
    env.graph.get(out.nodeId).outputSerde = env.graph.get(nodeId).outputSerde;
    return out;
  }

  /** Transforms each element into zero or more. */
  public <R> DataStream<R> flatMap(FlatMapFunction<T, R> flatMapper) {
    return add(new FlatMapSpec(require(flatMapper, "flatMap", "flatMapper")), "FlatMap");
  }

  /** Processes each element with its timestamp; may emit to side outputs. */
  public <R> DataStream<R> process(ProcessFunction<T, R> function) {
    return add(new ProcessSpec(require(function, "process", "function")), "Process");
  }

  /** Merges this stream with others of the same type. */
  @SafeVarargs
  public final DataStream<T> union(DataStream<T>... others) {
    List<Integer> inputs = new ArrayList<>();
    inputs.add(nodeId);
    for (DataStream<T> other : others) {
      Objects.requireNonNull(other, "union(...): a stream is null");
      if (other.env != env) {
        throw new IllegalArgumentException("union(...): a stream belongs to another job");
      }
      inputs.add(other.nodeId);
    }
    GraphBuilder.Draft draft = env.graph.add(new UnionSpec(), inputs, "Union");
    draft.outputSerde = env.graph.get(nodeId).outputSerde;
    return new DataStream<>(env, draft.id);
  }

  /** Gives elements event-time timestamps and the stream watermarks. */
  public DataStream<T> assignTimestampsAndWatermarks(WatermarkStrategy<T> strategy) {
    DataStream<T> out =
        add(
            new WatermarkSpec(require(strategy, "assignTimestampsAndWatermarks", "strategy")),
            "Timestamps/Watermarks");
    env.graph.get(out.nodeId).outputSerde = env.graph.get(nodeId).outputSerde;
    return out;
  }

  /**
   * Partitions the stream by key. The key type is read off the lambda or method reference and gets
   * its natural serde ({@link Serdes#of}); when it cannot be read (a generic lambda), use {@link
   * #keyBy(KeySelector, Serde)}.
   */
  public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> selector) {
    require(selector, "keyBy", "selector");
    Class<?> keyType = KeyTypes.inferKeyType(selector);
    if (keyType == null) {
      throw new IllegalArgumentException(
          "keyBy after '"
              + env.graph.get(nodeId).name
              + "': cannot tell the key type of the selector "
              + selector.getClass().getName()
              + " (erased generics); pass its serde: keyBy(selector, Serdes.string())");
    }
    String reason = KeyTypes.whyNotAKey(keyType);
    if (reason != null) {
      throw new IllegalArgumentException(
          "keyBy after '"
              + env.graph.get(nodeId).name
              + "': key type "
              + keyType.getName()
              + " cannot be a key: "
              + reason);
    }
    @SuppressWarnings("unchecked")
    Serde<K> serde = (Serde<K>) Serdes.of(keyType);
    return keyBy(selector, serde, keyType);
  }

  /**
   * Partitions the stream by key, serializing keys with {@code keySerde} (must be deterministic).
   */
  public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> selector, Serde<K> keySerde) {
    require(selector, "keyBy", "selector");
    require(keySerde, "keyBy", "keySerde");
    return keyBy(selector, keySerde, KeyTypes.inferKeyType(selector));
  }

  private <K> KeyedStream<K, T> keyBy(KeySelector<T, K> selector, Serde<K> serde, Class<?> type) {
    GraphBuilder.Draft draft =
        env.graph.add(new KeyBySpec(selector, serde, type), List.of(nodeId), "KeyBy");
    draft.outputSerde = env.graph.get(nodeId).outputSerde;
    return new KeyedStream<>(env, draft.id);
  }

  /** The side output {@code tag} of the operator that produced this stream. */
  public <X> DataStream<X> getSideOutput(OutputTag<X> tag) {
    require(tag, "getSideOutput", "tag");
    GraphBuilder.Draft producer = env.graph.get(nodeId);
    if (!producer.spec.emitsSideOutputs()) {
      throw new IllegalArgumentException(
          "getSideOutput("
              + tag.id()
              + ") on '"
              + producer.name
              + "': only process, keyed process and window operators emit side outputs");
    }
    GraphBuilder.Draft draft =
        env.graph.add(new SideOutputSpec(tag), List.of(nodeId), "SideOutput: " + tag.id());
    draft.outputSerde = tag.serde();
    return new DataStream<>(env, draft.id);
  }

  /**
   * Writes the stream to the sink the runtime binds to {@code sinkName}, as JSON when it leaves the
   * JVM.
   */
  public DataStreamSink sinkTo(String sinkName) {
    return sinkTo(sinkName, Serdes.jsonAny());
  }

  /**
   * Writes the stream to the sink the runtime binds to {@code sinkName}, serialized by {@code
   * serde}.
   */
  public DataStreamSink sinkTo(String sinkName, Serde<? super T> serde) {
    if (sinkName == null || !UID.matcher(sinkName).matches()) {
      throw new IllegalArgumentException(
          "sink name is '" + sinkName + "'; use 1 to 64 letters, digits, '_', '.' or '-'");
    }
    require(serde, "sinkTo('" + sinkName + "')", "serde");
    GraphBuilder.Draft draft =
        env.graph.add(new SinkSpec(sinkName, serde), List.of(nodeId), "Sink: " + sinkName);
    return new DataStreamSink(env, draft.id);
  }

  /**
   * Sets the operator's uid: the stable name of its state across deployments. Required on every
   * stateful operator; unique in the job.
   */
  public DataStream<T> uid(String uid) {
    env.graph.get(nodeId).uid = checkUid(uid);
    return this;
  }

  /** Sets the operator's display name. */
  public DataStream<T> name(String name) {
    env.graph.get(nodeId).name = Objects.requireNonNull(name, "name is null");
    return this;
  }

  /**
   * Declares the serde of this stream's elements, which lambdas hide; stateful operators downstream
   * store elements with it instead of typed JSON.
   */
  public DataStream<T> returns(Serde<T> serde) {
    env.graph.get(nodeId).outputSerde = require(serde, "returns", "serde");
    return this;
  }

  /** Declares the element class of this stream; see {@link #returns(Serde)}. */
  public DataStream<T> returns(Class<T> type) {
    return returns(Serdes.of(require(type, "returns", "type")));
  }

  <R> DataStream<R> add(OperatorSpec spec, String name) {
    GraphBuilder.Draft draft = env.graph.add(spec, List.of(nodeId), name);
    return new DataStream<>(env, draft.id);
  }

  static String checkUid(String uid) {
    if (uid == null || !UID.matcher(uid).matches()) {
      throw new IllegalArgumentException(
          "uid is '"
              + uid
              + "'; use 1 to 64 letters, digits, '_', '.' or '-', and never change it once the"
              + " operator has state");
    }
    return uid;
  }

  static <X> X require(X value, String method, String parameter) {
    if (value == null) {
      throw new IllegalArgumentException(method + "(...): " + parameter + " is null");
    }
    return value;
  }
}
