package dev.tributary.state.dynamodb.internal;

import dev.tributary.serde.Serde;
import dev.tributary.spi.StateNamespace;

/** Cell ids: {@code name} for the void namespace, {@code name@<base64 namespace>} otherwise. */
final class CellIds {
  private CellIds() {}

  static String of(String name, byte[] namespace) {
    return name + "@" + Codec.b64(namespace);
  }

  static String stateName(String cellId) {
    int at = cellId.indexOf('@');
    return at < 0 ? cellId : cellId.substring(0, at);
  }

  static Object namespace(String cellId, Serde<Object> namespaceSerde) {
    int at = cellId.indexOf('@');
    if (at < 0) {
      return StateNamespace.VOID;
    }
    if (namespaceSerde == null) {
      throw new IllegalStateException(
          "state cell '"
              + cellId
              + "' has a namespace but its operator declares no namespace serde");
    }
    return namespaceSerde.deserialize(Codec.unb64(cellId.substring(at + 1)));
  }
}
