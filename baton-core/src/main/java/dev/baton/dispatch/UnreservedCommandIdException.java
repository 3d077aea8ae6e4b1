package dev.baton.dispatch;

import java.util.Optional;

/** A module registered a handler for a command id it has not reserved. */
public final class UnreservedCommandIdException extends DispatchException {

  UnreservedCommandIdException(CommandId commandId, String module, Optional<String> holder) {
    super(
        "module '"
            + module
            + "' registers a handler for "
            + commandId
            + holder
                .map(other -> ", which module '" + other + "' holds")
                .orElse(", which it has not reserved; reserve the id for the module first"));
  }
}
