package dev.baton.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * One in-process run of the {@code baton} command line, with its exit code and what it printed.
 *
 * @param exitCode what the command returned
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
public record CliRun(int exitCode, String out, String err) {

  /** Runs {@code args}. */
  public static CliRun run(String... args) {
    return run(commandLine -> {}, args);
  }

  /** Runs {@code args} after {@code prepare} has seen the command line (to set test hooks). */
  public static CliRun run(Consumer<CommandLine> prepare, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.newCommandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    prepare.accept(commandLine);
    int exitCode = commandLine.execute(args);
    return new CliRun(exitCode, out.toString(), err.toString());
  }

  /** Both streams, for assertion messages. */
  public String both() {
    return "exit " + exitCode + "\n--- out:\n" + out + "\n--- err:\n" + err;
  }
}
