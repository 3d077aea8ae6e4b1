package dev.baton.modules;

import dev.baton.BatonException;
import org.jspecify.annotations.Nullable;

/**
 * The root of the typed errors the standard modules complete commands with: a process that wants to
 * tell a module's domain failure (a version conflict, an unknown timer, a non-zero exit) apart from
 * a bug in a handler catches this type, or one of its subclasses.
 */
public abstract class ModuleException extends BatonException {

  protected ModuleException(String message) {
    super(message);
  }

  protected ModuleException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
