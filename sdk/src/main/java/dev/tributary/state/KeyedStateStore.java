package dev.tributary.state;

/**
 * Where functions get their keyed state from: each call returns a handle that always reads and
 * writes the state of the key being processed. Calling it twice with one descriptor returns the
 * same state.
 */
public interface KeyedStateStore {
  /** A value per key. */
  <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor);

  /** A list per key. */
  <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

  /** A map per key. */
  <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor);

  /** A reduced value per key. */
  <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor);

  /** An accumulator per key. */
  <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
      AggregatingStateDescriptor<IN, ACC, OUT> descriptor);
}
