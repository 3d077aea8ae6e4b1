package dev.baton.dispatch;

import dev.baton.boot.AppContext;

/** The {@link CommandContext} of a caller that is not a process; see {@link CommandContext#of}. */
record SimpleCommandContext(Object caller, AppContext services, CancellationSignal cancellation)
    implements CommandContext {

  @Override
  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  @Override
  public Registration onCancel(Runnable action) {
    return cancellation.onCancel(action);
  }
}
