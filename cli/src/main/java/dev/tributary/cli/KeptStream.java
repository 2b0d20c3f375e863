package dev.tributary.cli;

import dev.tributary.state.dynamodb.Position;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks a kept stream ({@code --data-dir}) against what the job committed before a run resumes on
 * it. The stream's emulator writes its file every second, and the stack keeps a copy of the last
 * complete write: an emulator killed in between comes back without its last records. Producing
 * their clicks again is exact only if the job had not committed them yet; otherwise they would be
 * counted twice, so the run refuses to resume.
 */
final class KeptStream {
  private KeptStream() {}

  /**
   * The splits whose committed position lies past the last record the stream holds, one line each
   * (empty when none): {@code committed} by checkpoint split name (a partition key's checkpoint,
   * {@code <split>/k/<key>}, counts for its split), {@code last} by split name.
   */
  static List<String> committedPastTheEnd(
      Map<String, Position> committed, Map<String, BigInteger> last) {
    Map<String, Position> bySplit = new TreeMap<>();
    for (Map.Entry<String, Position> e : committed.entrySet()) {
      String split = e.getKey();
      int partitionKey = split.indexOf("/k/");
      bySplit.merge(
          partitionKey < 0 ? split : split.substring(0, partitionKey),
          e.getValue(),
          Position::later);
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Position> e : bySplit.entrySet()) {
      BigInteger end = last.get(e.getKey());
      BigInteger committedTo = e.getValue().sequence();
      if (committedTo.compareTo(end == null ? BigInteger.valueOf(-1) : end) > 0) {
        out.add(
            e.getKey()
                + " committed up to "
                + committedTo
                + " but "
                + (end == null ? "holds no record" : "ends at " + end));
      }
    }
    return out;
  }
}
