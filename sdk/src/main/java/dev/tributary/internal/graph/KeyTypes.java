package dev.tributary.internal.graph;

import dev.tributary.functions.KeySelector;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/** Reads the key type off a {@link KeySelector} and checks that it can be a key. */
public final class KeyTypes {
  private KeyTypes() {}

  /**
   * The key class of a lambda, method reference or class implementing {@link KeySelector}, or null
   * when erasure hides it (a generic lambda).
   */
  public static Class<?> inferKeyType(KeySelector<?, ?> selector) {
    Class<?> fromLambda = fromSerializedLambda(selector);
    if (fromLambda != null) {
      return fromLambda;
    }
    return fromGenericInterface(selector.getClass());
  }

  private static Class<?> fromSerializedLambda(Object selector) {
    try {
      Method writeReplace = selector.getClass().getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      Object replacement = writeReplace.invoke(selector);
      if (!(replacement instanceof SerializedLambda lambda)) {
        return null;
      }
      String signature = lambda.getImplMethodSignature();
      String returnDescriptor = signature.substring(signature.indexOf(')') + 1);
      Class<?> type = fromDescriptor(returnDescriptor, selector.getClass().getClassLoader());
      return type == Object.class ? null : box(type);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Class<?> fromGenericInterface(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Type iface : c.getGenericInterfaces()) {
        if (iface instanceof ParameterizedType p && p.getRawType() == KeySelector.class) {
          Type keyType = p.getActualTypeArguments()[1];
          if (keyType instanceof Class<?> k) {
            return k;
          }
          if (keyType instanceof ParameterizedType pk && pk.getRawType() instanceof Class<?> raw) {
            return raw;
          }
        }
      }
    }
    return null;
  }

  private static Class<?> fromDescriptor(String descriptor, ClassLoader loader)
      throws ClassNotFoundException {
    switch (descriptor.charAt(0)) {
      case 'Z':
        return boolean.class;
      case 'B':
        return byte.class;
      case 'C':
        return char.class;
      case 'S':
        return short.class;
      case 'I':
        return int.class;
      case 'J':
        return long.class;
      case 'F':
        return float.class;
      case 'D':
        return double.class;
      case 'V':
        return void.class;
      case '[':
        return Class.forName(descriptor.replace('/', '.'), false, loader);
      case 'L':
        return Class.forName(
            descriptor.substring(1, descriptor.length() - 1).replace('/', '.'), false, loader);
      default:
        return null;
    }
  }

  private static Class<?> box(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    if (type == int.class) {
      return Integer.class;
    } else if (type == long.class) {
      return Long.class;
    } else if (type == boolean.class) {
      return Boolean.class;
    } else if (type == double.class) {
      return Double.class;
    } else if (type == float.class) {
      return Float.class;
    } else if (type == short.class) {
      return Short.class;
    } else if (type == byte.class) {
      return Byte.class;
    } else if (type == char.class) {
      return Character.class;
    }
    return null;
  }

  /**
   * Returns null if {@code type} can be a key, else the reason it cannot. A key needs value
   * equality (records, enums, strings, boxed numbers, classes overriding {@code equals} and {@code
   * hashCode}); arrays, {@code Object}, interfaces and abstract classes do not qualify.
   */
  public static String whyNotAKey(Class<?> type) {
    if (type.isArray()) {
      return "arrays compare by identity, so equal keys would not meet; use a String, a record or a"
          + " List";
    }
    boolean collection =
        java.util.List.class.isAssignableFrom(type)
            || java.util.Map.class.isAssignableFrom(type)
            || java.util.Set.class.isAssignableFrom(type);
    boolean javaValueBase = type != Object.class && type.getName().startsWith("java.");
    if (!collection
        && !javaValueBase
        && (type == Object.class
            || type.isInterface()
            || Modifier.isAbstract(type.getModifiers()))) {
      return "its concrete class is unknown at build time; key by a concrete type or pass an"
          + " explicit key serde with keyBy(selector, serde)";
    }
    if (type.isRecord() || type.isEnum() || type.isPrimitive()) {
      return null;
    }
    if (type.getName().startsWith("java.")) {
      return null;
    }
    if (!overrides(type, "equals", Object.class) || !overrides(type, "hashCode")) {
      return "it does not override equals() and hashCode(), so two equal keys would be different"
          + " keys; make it a record or implement both";
    }
    return null;
  }

  private static boolean overrides(Class<?> type, String name, Class<?>... params) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      try {
        c.getDeclaredMethod(name, params);
        return true;
      } catch (NoSuchMethodException e) {
        // keep looking up the hierarchy
      }
    }
    return false;
  }
}
