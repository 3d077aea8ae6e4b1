package dev.baton.process;

import org.jspecify.annotations.Nullable;

/**
 * How a process is wired into the topology when it is spawned, before its first step (so it cannot
 * end unobserved).
 *
 * @param parent the process to link to and/or that monitors the new one, if any
 * @param link link the new process with {@code parent} (requires a parent)
 * @param monitor let {@code parent} monitor the new process (requires a parent)
 * @param name register the new process under this unique name, if any
 * @param trapLinks receive a linked process's failure as a {@link Message#LINK_DOWN_TOPIC} message
 *     instead of being terminated by it
 */
public record SpawnOptions(
    @Nullable Pid parent, boolean link, boolean monitor, @Nullable String name, boolean trapLinks) {

  /** No parent, no name, no links trapped. */
  public static final SpawnOptions NONE = new SpawnOptions(null, false, false, null, false);

  /** Checks that link and monitor have a parent and that the name is not blank. */
  public SpawnOptions {
    if ((link || monitor) && parent == null) {
      throw new IllegalArgumentException("link and monitor need a parent process");
    }
    if (name != null && name.isBlank()) {
      throw new IllegalArgumentException("a process name must not be blank");
    }
  }

  /** These options, with {@code parent} linked to the new process. */
  public SpawnOptions linkedTo(Pid parent) {
    return new SpawnOptions(parent, true, monitor, name, trapLinks);
  }

  /** These options, with {@code parent} monitoring the new process. */
  public SpawnOptions monitoredBy(Pid parent) {
    return new SpawnOptions(parent, link, true, name, trapLinks);
  }

  /** These options, with the new process registered under {@code name}. */
  public SpawnOptions named(String name) {
    return new SpawnOptions(parent, link, monitor, name, trapLinks);
  }

  /** These options, with the new process trapping its links' failures. */
  public SpawnOptions trappingLinks() {
    return new SpawnOptions(parent, link, monitor, name, true);
  }
}
