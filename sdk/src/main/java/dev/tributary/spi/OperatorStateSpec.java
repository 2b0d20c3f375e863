package dev.tributary.spi;

import dev.tributary.serde.Serde;

/**
 * Identifies the keyed state of one stateful operator for a backend.
 *
 * @param jobName the job
 * @param operatorUid the operator's uid: its state's stable name
 * @param keySerde the serde of the operator's keys
 * @param maxKeyGroups the job's number of key groups
 */
public record OperatorStateSpec(
    String jobName, String operatorUid, Serde<?> keySerde, int maxKeyGroups) {}
