package dev.baton.eval;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * A script process yielded something that is not a command made by {@code baton.command(id, args)},
 * an allowed id no {@link ScriptCommand} factory is registered for, or arguments its factory
 * refused; the process failed without dispatching it.
 */
public final class ScriptCommandException extends ModuleException {
  /**
   * @param message what was wrong, and what to do
   * @param cause the factory's refusal, if any
   */
  public ScriptCommandException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what was wrong, and what to do
   */
  public ScriptCommandException(String message) {
    super(message);
  }
}
