package dev.tributary.graph;

/**
 * What a node of the {@link dev.tributary.JobGraph} does: the user function(s) and settings of one
 * operator. Runtimes switch over the permitted records; nothing else describes an operator.
 */
public sealed interface OperatorSpec
    permits SourceSpec,
        MapSpec,
        FilterSpec,
        FlatMapSpec,
        ProcessSpec,
        WatermarkSpec,
        UnionSpec,
        KeyBySpec,
        KeyedProcessSpec,
        ReduceSpec,
        AggregateSpec,
        WindowSpec,
        SideOutputSpec,
        SinkSpec,
        ForwardSpec {

  /** Whether the operator keeps keyed state (and therefore needs a uid). */
  default boolean stateful() {
    return false;
  }

  /** Whether the operator may emit to side outputs. */
  default boolean emitsSideOutputs() {
    return false;
  }

  /** A one-line description for {@code describe()}. */
  String describe();

  /** The short kind name for {@code describe()}, e.g. {@code window}. */
  String kind();
}
