package dev.baton.process;

/** A process yielded a command under a tag whose earlier command is still pending. */
public final class TagInUseException extends ProcessException {

  public TagInUseException(long tag) {
    super(
        "tag "
            + tag
            + " is still pending; the new command was not dispatched (let StepOutput.yield allocate"
            + " tags, or reuse a tag only after its completion)");
  }
}
