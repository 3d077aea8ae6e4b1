package dev.baton.cli;

import picocli.CommandLine;

/** The entry point of the {@code baton} command. */
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** The {@code baton} command line, ready to execute; tests run it in-process. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new BatonCommand());
  }
}
