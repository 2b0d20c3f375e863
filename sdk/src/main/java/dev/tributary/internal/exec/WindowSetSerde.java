package dev.tributary.internal.exec;

import dev.tributary.serde.Serde;
import dev.tributary.serde.SerdeException;
import dev.tributary.windowing.Window;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Serializes a merging window set: pairs of (window, state window), length-prefixed. */
final class WindowSetSerde implements Serde<LinkedHashMap<Window, Window>> {
  private final Serde<Window> windows;

  private WindowSetSerde(Serde<Window> windows) {
    this.windows = windows;
  }

  @SuppressWarnings("unchecked")
  static WindowSetSerde of(Serde<?> windowSerde) {
    return new WindowSetSerde((Serde<Window>) windowSerde);
  }

  @Override
  public byte[] serialize(LinkedHashMap<Window, Window> value) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(value.size());
      for (Map.Entry<Window, Window> e : value.entrySet()) {
        write(out, windows.serialize(e.getKey()));
        write(out, windows.serialize(e.getValue()));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new SerdeException("cannot serialize a merging window set", e);
    }
  }

  private static void write(DataOutputStream out, byte[] data) throws IOException {
    out.writeInt(data.length);
    out.write(data);
  }

  @Override
  public LinkedHashMap<Window, Window> deserialize(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
      int size = in.readInt();
      LinkedHashMap<Window, Window> out = new LinkedHashMap<>();
      for (int i = 0; i < size; i++) {
        out.put(windows.deserialize(read(in)), windows.deserialize(read(in)));
      }
      return out;
    } catch (IOException e) {
      throw new SerdeException("cannot read a merging window set", e);
    }
  }

  private static byte[] read(DataInputStream in) throws IOException {
    byte[] data = new byte[in.readInt()];
    in.readFully(data);
    return data;
  }

  @Override
  public String describe() {
    return "mergingWindowSet";
  }
}
