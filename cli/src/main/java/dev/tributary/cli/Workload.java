package dev.tributary.cli;

import dev.tributary.JobProvider;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What a local run feeds a job and what it must produce: the source records (partition key, payload
 * as the job's source serde writes it, event time) and the reference outputs of the same records
 * from the in-memory executor, per sink, as the sink serde writes them (UTF-8 text). A run is
 * correct when the committed outputs equal the reference as multisets: nothing lost, nothing twice.
 */
public interface Workload {
  /** One record for the stream: Kinesis partition key / Kafka key, payload bytes. */
  record Event(String key, byte[] payload) {}

  /**
   * The events of {@code all} that {@code stored} does not hold, in their order: what a run that
   * resumes on a kept stream still has to produce (it may have stopped in the middle of a write, so
   * what the stream holds need not be a prefix). Events are compared by key and payload, as
   * multisets.
   */
  static List<Event> notIn(Iterator<Event> all, java.util.Collection<Event> stored) {
    Map<String, Integer> held = new java.util.HashMap<>();
    for (Event e : stored) {
      held.merge(identity(e), 1, Integer::sum);
    }
    List<Event> out = new java.util.ArrayList<>();
    while (all.hasNext()) {
      Event e = all.next();
      String id = identity(e);
      Integer n = held.get(id);
      if (n == null) {
        out.add(e);
      } else if (n == 1) {
        held.remove(id);
      } else {
        held.put(id, n - 1);
      }
    }
    return out;
  }

  private static String identity(Event e) {
    return e.key() + '\u0000' + java.util.Base64.getEncoder().encodeToString(e.payload());
  }

  /** The job to run. */
  JobProvider job();

  /** A short description for the progress line, e.g. "100,000 clicks from 1,000 users". */
  String describe();

  /** How many events {@link #events()} yields. */
  long size();

  /** The events, in the order they are produced to the stream. */
  Iterator<Event> events();

  /** The in-memory reference run's outputs: per sink, each output as text. */
  Map<String, List<String>> reference();

  /**
   * The committed outputs in the form compared with {@link #reference()}; by default as committed.
   * A workload whose job sets some records aside (e.g. late records in a side output) folds them
   * back into the outputs they missed here, so that the check still proves every record counted
   * once.
   *
   * @param committed per sink, the committed outputs as text
   */
  default Map<String, List<String>> compared(Map<String, List<String>> committed) {
    return committed;
  }
}
