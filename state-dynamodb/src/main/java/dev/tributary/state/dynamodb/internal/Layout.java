package dev.tributary.state.dynamodb.internal;

/**
 * The partition and sort keys of every item Tributary writes (docs/protocol.md draws them).
 *
 * <pre>
 * state table
 *   K#{uid}#{keyGroup}#{key}    #                      key state: version v, inline cells c, spills
 *   K#{uid}#{keyGroup}#{key}    M#{cell}#{gen}#{mapKey} one entry of a spilled map state
 *   K#{uid}#{keyGroup}#{key}    L#{cell}#{gen}#{chunk}  one chunk of a spilled list state
 *   T#{uid}#{keyGroup}          E|P#{time}#{key}#*     a key's earliest event / processing-time timer
 *   T#{uid}#{keyGroup}          E|P#{time}#{key}#{ns}  one timer (keys written before the above)
 *   F#{uid}                     {slots}#{slot}         timers fired up to (fe, fp), bounds, v, g
 *   F#{uid}                     layout                 slot count s and its generation g
 *   C#{job}#{split}             {slots}#{slot}         checkpoint: position, epoch
 * outbox table
 *   {job}#{split}#{slots}#{slot} {epoch}#{page}         committed sink records of one epoch
 * dead-letter table
 *   {job}#{split}               {position}             a record set aside, with payload and error
 * </pre>
 */
public final class Layout {
  private Layout() {}

  /** Sort key of a key's main state item. */
  public static final String MAIN = "#";

  public static String keyPk(String uid, int keyGroup, byte[] key) {
    return "K#" + uid + "#" + keyGroup + "#" + Codec.b64(key);
  }

  /** Sort key of one entry of a spilled map. */
  public static String mapEntrySk(String cellId, long generation, String mapKeyB64) {
    return "M#" + cellId + "#" + generation + "#" + mapKeyB64;
  }

  /** Sort key of one chunk of a spilled list. */
  public static String listChunkSk(String cellId, long generation, int chunk) {
    return "L#" + cellId + "#" + generation + "#" + String.format("%06d", chunk);
  }

  /**
   * Parses the sort key of a spilled part: {kind ("M" or "L"), cell id, generation, entry key or
   * chunk index}.
   */
  public static String[] parsePart(String sk) {
    int last = sk.lastIndexOf('#');
    int gen = sk.lastIndexOf('#', last - 1);
    return new String[] {
      sk.substring(0, 1), sk.substring(2, gen), sk.substring(gen + 1, last), sk.substring(last + 1)
    };
  }

  public static String timerPk(String uid, int keyGroup) {
    return "T#" + uid + "#" + keyGroup;
  }

  public static String timerSk(boolean eventTime, long timestamp, byte[] key, byte[] namespace) {
    return (eventTime ? "E#" : "P#")
        + Codec.sortable(timestamp)
        + "#"
        + Codec.b64(key)
        + "#"
        + (namespace == null ? "-" : Codec.b64(namespace));
  }

  /** The namespace part of {@link #keyTimerSk}: neither base64url nor {@code -}. */
  private static final String WHOLE_KEY = "*";

  /**
   * The sort key of a key's index item: it stands for every timer of the key in one time domain,
   * and is kept at the earliest of them (docs/protocol.md, "The timer index").
   */
  public static String keyTimerSk(boolean eventTime, long timestamp, byte[] key) {
    return (eventTime ? "E#" : "P#")
        + Codec.sortable(timestamp)
        + "#"
        + Codec.b64(key)
        + "#"
        + WHOLE_KEY;
  }

  /** Whether a timer index sort key is a key's item ({@link #keyTimerSk}), not one timer's. */
  public static boolean isKeyTimerSk(String sk) {
    return sk.endsWith("#" + WHOLE_KEY);
  }

  /** The key bytes in a timer index sort key of either kind. */
  public static byte[] timerKey(String sk) {
    return Codec.unb64(sk.substring(23, timerKeyEnd(sk)));
  }

  /** Where the key of a timer index sort key ends (the '#' before the namespace part). */
  private static int timerKeyEnd(String sk) {
    int keyEnd = sk.indexOf('#', 23);
    if (sk.length() < 23 || sk.charAt(22) != '#' || keyEnd < 0) {
      throw new IllegalStateException(
          "timer index item with sort key '" + sk + "' is not E#|P#<time>#<key>#<namespace>");
    }
    return keyEnd;
  }

  /** The time in a timer's sort key ({@link #timerSk}). */
  public static long timerTime(String sk) {
    return Long.parseUnsignedLong(sk.substring(2, 22)) ^ Long.MIN_VALUE;
  }

  /**
   * The key and the namespace in a timer's sort key ({@link #timerSk}): {key bytes, namespace bytes
   * or null for none}. '#' is not in the base64url alphabet, and "-" alone is no encoding of any
   * bytes.
   */
  public static byte[][] timerKeyAndNamespace(String sk) {
    int keyEnd = timerKeyEnd(sk);
    String ns = sk.substring(keyEnd + 1);
    return new byte[][] {
      Codec.unb64(sk.substring(23, keyEnd)), ns.equals("-") ? null : Codec.unb64(ns)
    };
  }

  public static String timerSkFrom(boolean eventTime, long timestamp) {
    return (eventTime ? "E#" : "P#") + Codec.sortable(timestamp);
  }

  public static String timerSkTo(boolean eventTime, long timestamp) {
    return (eventTime ? "E#" : "P#") + Codec.sortable(timestamp) + "#~";
  }

  /** Partition of the fired-up-to items of an operator. */
  public static String firedPk(String uid) {
    return "F#" + uid;
  }

  /** Sort key of an operator's slot layout item, in its {@link #firedPk} partition. */
  public static final String SLOT_LAYOUT = "layout";

  /** Sort key of a slot's fired-up-to item. */
  public static String slotSk(int slots, int slot) {
    return slots + "#" + slot;
  }

  /**
   * A slot sort key ({@link #slotSk}) read back.
   *
   * @param slots the slot count
   * @param slot the slot
   */
  public record SlotSk(int slots, int slot) {
    /** {@code sk} read back; null when it is not a slot sort key (a split's counts item). */
    public static SlotSk parse(String sk) {
      int hash = sk.indexOf('#');
      return hash < 0
          ? null
          : new SlotSk(
              Integer.parseInt(sk.substring(0, hash)), Integer.parseInt(sk.substring(hash + 1)));
    }
  }

  /** Partition of a split's checkpoints. */
  public static String checkpointPk(String job, String split) {
    return "C#" + job + "#" + split;
  }

  /** Partition of an outbox stream. */
  public static String outboxPk(String job, String split, int slots, int slot) {
    return job + "#" + split + "#" + slots + "#" + slot;
  }

  /** Sort key of an outbox page. */
  public static String outboxSk(long epoch, int page) {
    return String.format("%012d#%04d", epoch, page);
  }

  /** Partition of a split's dead letters. */
  public static String deadLetterPk(String job, String split) {
    return job + "#" + split;
  }
}
