package dev.baton.time;

import dev.baton.boot.AppContext;
import dev.baton.boot.Component;
import org.jspecify.annotations.Nullable;

/**
 * The boot component that gives a node its {@link SystemTimeSource} under {@link TimeSource#KEY}
 * and closes it, stopping the timer thread, when the node stops.
 */
final class SystemTimeComponent implements Component {
  /** Written by load, read by stop; Boot's lock orders the two, whichever threads call them. */
  private @Nullable SystemTimeSource timeSource;

  @Override
  public String name() {
    return SystemTimeSource.COMPONENT_NAME;
  }

  @Override
  public AppContext load(AppContext context) {
    SystemTimeSource created = new SystemTimeSource();
    timeSource = created;
    return context.with(TimeSource.KEY, created);
  }

  @Override
  public void stop(AppContext context) {
    SystemTimeSource loaded = timeSource;
    if (loaded != null) {
      loaded.close();
    }
  }
}
