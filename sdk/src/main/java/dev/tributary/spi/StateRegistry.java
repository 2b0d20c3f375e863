package dev.tributary.spi;

import dev.tributary.state.StateDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Assigns entry slots to the states an operator registers; shared by every backend. */
public final class StateRegistry {
  private final String operatorUid;
  private final List<StateDescriptor<?>> descriptors = new ArrayList<>();
  private final Map<String, Integer> slots = new HashMap<>();

  /** A registry for the operator {@code operatorUid}. */
  public StateRegistry(String operatorUid) {
    this.operatorUid = operatorUid;
  }

  /** See {@link OperatorStateStore#register}. */
  public int register(StateDescriptor<?> descriptor) {
    Integer slot = slots.get(descriptor.name());
    if (slot != null) {
      StateDescriptor<?> existing = descriptors.get(slot);
      if (existing.kind() != descriptor.kind()) {
        throw new IllegalArgumentException(
            "operator '"
                + operatorUid
                + "' declares state '"
                + descriptor.name()
                + "' twice, as "
                + existing.kind()
                + " and as "
                + descriptor.kind()
                + "; give each state its own name");
      }
      return slot;
    }
    slots.put(descriptor.name(), descriptors.size());
    descriptors.add(descriptor);
    return descriptors.size() - 1;
  }

  /** The descriptor at {@code slot}. */
  public StateDescriptor<?> descriptor(int slot) {
    return descriptors.get(slot);
  }

  /** The slot of the state named {@code name}, or -1. */
  public int slotOf(String name) {
    Integer slot = slots.get(name);
    return slot == null ? -1 : slot;
  }

  /** All registered descriptors, by slot. */
  public List<StateDescriptor<?>> descriptors() {
    return List.copyOf(descriptors);
  }
}
