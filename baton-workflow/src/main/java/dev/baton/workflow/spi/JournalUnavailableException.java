package dev.baton.workflow.spi;

import dev.baton.modules.ModuleException;
import org.jspecify.annotations.Nullable;

/**
 * The journal store failed (connection lost, statement refused). A run that gets it stops without
 * finishing its workflow, which stays running in the store, so a node resumes it later.
 */
public final class JournalUnavailableException extends ModuleException {
  /**
   * @param message what failed
   * @param cause the store's error
   */
  public JournalUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
