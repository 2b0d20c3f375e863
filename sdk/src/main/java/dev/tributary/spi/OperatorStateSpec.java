package dev.tributary.spi;

import dev.tributary.serde.Serde;

/**
 * Identifies the keyed state of one stateful operator for a backend.
 *
 * @param jobName the job
 * @param operatorUid the operator's uid: its state's stable name
 * @param keySerde the serde of the operator's keys
 * @param maxKeyGroups the job's number of key groups
 * @param namespaceSerde the serde of the operator's namespaces (its windows), or null when all its
 *     state is in {@link StateNamespace#VOID}
 */
public record OperatorStateSpec(
    String jobName,
    String operatorUid,
    Serde<?> keySerde,
    int maxKeyGroups,
    Serde<?> namespaceSerde) {}
