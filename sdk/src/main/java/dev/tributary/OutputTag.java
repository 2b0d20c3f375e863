package dev.tributary;

import dev.tributary.serde.Serde;
import dev.tributary.serde.Serdes;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names a side output: a second stream a process function or a window emits to, e.g. late data. Two
 * tags are equal when their ids are.
 *
 * @param <T> element type of the side output
 */
public final class OutputTag<T> {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private final String id;
  private final Serde<T> serde;

  /** A tag whose elements are stored as JSON with their type when they must leave the JVM. */
  public OutputTag(String id) {
    this(id, Serdes.jsonWithType());
  }

  /** A tag whose elements use the natural serde of {@code type}. */
  public OutputTag(String id, Class<T> type) {
    this(id, Serdes.of(Objects.requireNonNull(type, "OutputTag type is null")));
  }

  /** A tag with an explicit serde. */
  public OutputTag(String id, Serde<T> serde) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "OutputTag id is '"
              + id
              + "'; it must be 1 to 64 characters of letters, digits, '_', '.' or '-'");
    }
    this.id = id;
    this.serde = Objects.requireNonNull(serde, "OutputTag '" + id + "' serde is null");
  }

  /** The tag's id. */
  public String id() {
    return id;
  }

  /** The serde of the side output's elements. */
  public Serde<T> serde() {
    return serde;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutputTag<?> other && other.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "OutputTag(" + id + ")";
  }
}
