package dev.baton.cli;

import dev.baton.cli.demo.DemoCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the {@code baton} command: a container of subcommands. */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    version = "baton 0.1.0-SNAPSHOT",
    description = "Baton: a runtime for asynchronous work on the JVM.",
    subcommands = {DemoCommand.class, HelpCommand.class})
public final class BatonCommand implements Runnable {
  @SuppressWarnings("NullAway.Init") // injected by picocli before run()
  @Spec
  private CommandSpec spec;

  /** Created by picocli. */
  public BatonCommand() {}

  /** Without a subcommand, shows which ones there are. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
