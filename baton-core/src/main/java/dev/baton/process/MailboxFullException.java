package dev.baton.process;

/** A message was refused because the receiving process's mailbox is full. */
public final class MailboxFullException extends ProcessException {

  public MailboxFullException(Pid pid, int capacity) {
    super(
        "mailbox of process "
            + pid
            + " is full ("
            + capacity
            + " messages waiting); the message was not delivered");
  }
}
