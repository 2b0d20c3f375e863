package dev.tributary.graph;

/** Merges streams of one type; its watermark is the minimum of its active inputs'. */
public record UnionSpec() implements OperatorSpec {
  @Override
  public String describe() {
    return "";
  }

  @Override
  public String kind() {
    return "union";
  }
}
