package dev.tributary.functions;

/**
 * A function with a lifecycle: {@code open} before the first element (declare state there), {@code
 * close} at the end. Operator functions on Lambda are opened once per container, so keep {@code
 * open} cheap.
 */
public interface RichFunction {
  /** Called once before the first element. */
  void open(OpenContext context) throws Exception;

  /** Called once after the last element. */
  void close() throws Exception;

  /** The context of the running operator: task information and keyed state. */
  RuntimeContext getRuntimeContext();

  /** Set by the runtime before {@link #open}; user code never calls it. */
  void setRuntimeContext(RuntimeContext context);
}
