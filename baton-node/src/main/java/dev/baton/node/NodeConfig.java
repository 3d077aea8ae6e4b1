package dev.baton.node;

import java.nio.file.Path;

/**
 * A node's configuration: immutable, read from YAML ({@link #load(Path)}) or built in code, with
 * defaults that need no server (local tasks, in-memory store, H2). Skeleton; the node change (issue
 * 8) defines its sections and builder.
 */
@SuppressWarnings("DoNotCallSuggester") // skeleton until the issue 8 change fills it in
public record NodeConfig() {

  /**
   * The embedded default: every module, local tasks, in-memory store, H2, dashboard on 127.0.0.1.
   */
  public static NodeConfig defaults() {
    throw new UnsupportedOperationException("issue 8: implemented by the node change");
  }

  /**
   * Reads a YAML file.
   *
   * @throws NodeConfigException naming the key and the problem (or the file that cannot be read)
   */
  public static NodeConfig load(Path file) {
    throw new UnsupportedOperationException("issue 8: implemented by the node change");
  }
}
