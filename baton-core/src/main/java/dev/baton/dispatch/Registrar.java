package dev.baton.dispatch;

/**
 * The registry as one module sees it while the node loads: it registers handlers for the ids that
 * module reserved. Obtained from {@link Registry#registrar(String)}; thread-safe.
 */
public interface Registrar {

  /** The module whose handlers this registrar registers. */
  String module();

  /**
   * Registers {@code handler} for {@code id}.
   *
   * @throws UnreservedCommandIdException if the module has not reserved {@code id}
   * @throws DuplicateHandlerException if {@code id} already has a handler
   * @throws RegistryFrozenException if the node has started and the registry is frozen
   */
  void register(CommandId id, Handler handler);
}
