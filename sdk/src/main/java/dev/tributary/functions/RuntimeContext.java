package dev.tributary.functions;

import dev.tributary.state.KeyedStateStore;

/**
 * What a running operator tells its functions: which operator it is and, on keyed streams, the
 * keyed state of the current key ({@link KeyedStateStore}). Declare state in {@link
 * RichFunction#open}.
 */
public interface RuntimeContext extends KeyedStateStore {
  /** The job's name. */
  String getJobName();

  /** The operator's display name. */
  String getOperatorName();

  /** The operator's uid, or null for stateless operators without one. */
  String getOperatorUid();

  /** The number of key groups of the job. */
  int getMaxKeyGroups();
}
