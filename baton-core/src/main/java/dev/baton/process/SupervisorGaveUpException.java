package dev.baton.process;

import java.time.Duration;

/** A supervisor restarted its children more often than its policy allows, and ended. */
public final class SupervisorGaveUpException extends ProcessException {

  public SupervisorGaveUpException(String childId, int restarts, Duration window, Throwable last) {
    super(
        "gave up: child '"
            + childId
            + "' needed more than "
            + restarts
            + " restarts within "
            + window
            + "; last failure: "
            + last,
        last);
  }
}
