package dev.tributary.functions;

/** The base of rich functions: empty {@code open}/{@code close} and the runtime context. */
public abstract class AbstractRichFunction implements RichFunction {
  private transient RuntimeContext runtimeContext;

  @Override
  public void open(OpenContext context) throws Exception {}

  @Override
  public void close() throws Exception {}

  @Override
  public RuntimeContext getRuntimeContext() {
    if (runtimeContext == null) {
      throw new IllegalStateException(
          getClass().getName()
              + ".getRuntimeContext() was called before the runtime opened the function; "
              + "use it in open() or later, not in the constructor");
    }
    return runtimeContext;
  }

  @Override
  public void setRuntimeContext(RuntimeContext context) {
    this.runtimeContext = context;
  }
}
