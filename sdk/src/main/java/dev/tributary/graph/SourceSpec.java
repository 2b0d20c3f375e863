package dev.tributary.graph;

import dev.tributary.serde.Serde;
import java.nio.file.Path;
import java.util.List;

/**
 * A source, named logically; the runtime binds the name to a stream, topic, collection or file.
 *
 * @param sourceName the logical name, unique in the job
 * @param sourceKind where records come from
 * @param serde how record payloads are read (null for collections, which hold objects)
 * @param elements the elements of a collection source, else null
 * @param path the file of a file source, else null
 * @param type the element class of a file source, else null
 */
public record SourceSpec(
    String sourceName,
    SourceKind sourceKind,
    Serde<?> serde,
    List<?> elements,
    Path path,
    Class<?> type)
    implements OperatorSpec {

  @Override
  public String describe() {
    String what =
        switch (sourceKind) {
          case COLLECTION -> "collection of " + elements.size();
          case JSON_LINES, CSV -> path.toString();
          default -> sourceKind.name().toLowerCase();
        };
    return what + (serde == null ? "" : " serde=" + serde.describe());
  }

  @Override
  public String kind() {
    return "source";
  }
}
