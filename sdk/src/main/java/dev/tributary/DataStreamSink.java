package dev.tributary;

/** The end of a stream: a sink operator, which can be named and given a uid. */
public final class DataStreamSink {
  private final StreamEnvironment env;
  private final int nodeId;

  DataStreamSink(StreamEnvironment env, int nodeId) {
    this.env = env;
    this.nodeId = nodeId;
  }

  /** Sets the sink operator's uid. */
  public DataStreamSink uid(String uid) {
    env.graph.get(nodeId).uid = DataStream.checkUid(uid);
    return this;
  }

  /** Sets the sink operator's display name. */
  public DataStreamSink name(String name) {
    env.graph.get(nodeId).name = DataStream.require(name, "name", "name");
    return this;
  }
}
