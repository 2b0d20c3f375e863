package dev.tributary.coordinator;

import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether an object is of a type no code can change once it is built: strings, boxed primitives,
 * the final value classes of {@code java.time} and {@link java.util.UUID}, enums, and records whose
 * components are all of such types (checked by their declared types, recursively; a record is
 * final, so the declared type is the type). Anything else (a POJO, a collection, an array, a type
 * variable, a non-final class such as {@code BigDecimal}, whose subclasses may be mutable) counts
 * as changeable. The coordinator hands the keyed records of its prefix run to in-process slot
 * threads only when every key and value passes, since two threads may then hold the same object.
 */
final class ImmutableTypes {
  private static final Set<Class<?>> VALUES =
      Set.of(
          String.class,
          Integer.class,
          Long.class,
          Short.class,
          Byte.class,
          Character.class,
          Boolean.class,
          Double.class,
          Float.class,
          java.util.UUID.class,
          java.time.Instant.class,
          java.time.Duration.class,
          java.time.LocalDate.class,
          java.time.LocalTime.class,
          java.time.LocalDateTime.class,
          java.time.OffsetDateTime.class,
          java.time.ZonedDateTime.class);

  private static final ClassValue<Boolean> IMMUTABLE =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          return immutable(type, new HashSet<>());
        }
      };

  private ImmutableTypes() {}

  /** Whether {@code value} (null counts as unchangeable) is of an unchangeable type. */
  static boolean holds(Object value) {
    return value == null || IMMUTABLE.get(value.getClass());
  }

  private static boolean immutable(Class<?> type, Set<Class<?>> seen) {
    if (type.isPrimitive() || VALUES.contains(type) || type.isEnum()) {
      return true;
    }
    if (Enum.class.isAssignableFrom(type) && type.getSuperclass().isEnum()) {
      return true; // an enum constant with a body is an anonymous subclass
    }
    if (!type.isRecord()) {
      return false;
    }
    if (!seen.add(type)) {
      return true; // a record that holds itself: its other components decide
    }
    for (RecordComponent c : type.getRecordComponents()) {
      if (!immutable(c.getType(), seen)) {
        return false;
      }
    }
    return true;
  }
}
