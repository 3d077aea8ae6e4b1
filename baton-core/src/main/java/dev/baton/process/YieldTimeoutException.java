package dev.baton.process;

import java.time.Duration;

/** A yielded command did not complete within its deadline; its late completion is dropped. */
public final class YieldTimeoutException extends ProcessException {
  private final long tag;

  public YieldTimeoutException(long tag, Duration deadline) {
    super("the command yielded under tag " + tag + " did not complete within " + deadline);
    this.tag = tag;
  }

  /** The tag of the command that timed out. */
  public long tag() {
    return tag;
  }
}
