package dev.baton.process;

/**
 * A live process as the scheduler's table holds it, whichever way it runs: a step process on the
 * workers ({@link ProcessCell}) or a coroutine on its virtual thread ({@link CoroutineCell}).
 */
interface ProcessRecord {

  Pid pid();

  /** The class the user wrote, for inspection. */
  String typeName();

  ProcessState processState();

  long steps();

  /**
   * Queues {@code message} and wakes the process.
   *
   * @return false if the process has ended
   * @throws MailboxFullException if {@code capacity} messages are already waiting
   */
  boolean offerMessage(Message message, int capacity);

  /** Ends the process at its next chance with a {@link ProcessTerminatedException}. */
  void terminate(String reason);
}
