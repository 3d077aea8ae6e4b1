package dev.baton.cli;

import dev.baton.cli.demo.DemoCommand;
import java.lang.module.ModuleDescriptor;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top of the {@code baton} command: a container of subcommands. */
@Command(
    name = "baton",
    mixinStandardHelpOptions = true,
    versionProvider = BatonCommand.ModuleVersion.class,
    description = "Baton: a runtime for asynchronous work on the JVM.",
    sortOptions = false,
    subcommands = {
      DemoCommand.class,
      NodeCommand.class,
      CallCommand.class,
      InspectCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Start with `baton demo`; `baton help COMMAND` explains each command.",
      "Exit codes (every command): 0 done, 1 the work failed, 2 bad usage or",
      "configuration, 3 a server cannot be reached, 4 the node refused the request.",
      "Every command, option and exit code: docs/cli.md."
    })
public final class BatonCommand implements Runnable {
  @SuppressWarnings("NullAway.Init") // injected by picocli before run()
  @Spec
  private CommandSpec spec;

  /** Created by picocli. */
  public BatonCommand() {}

  /** The version Maven recorded in the CLI's module descriptor, so it never drifts from the POM. */
  static final class ModuleVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
      @Nullable ModuleDescriptor descriptor = BatonCommand.class.getModule().getDescriptor();
      String version =
          descriptor == null
              ? "(unknown version: not run as a module)"
              : descriptor.rawVersion().orElse("(unknown version)");
      return new String[] {"baton " + version};
    }
  }

  /** Without a subcommand, shows which ones there are. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
