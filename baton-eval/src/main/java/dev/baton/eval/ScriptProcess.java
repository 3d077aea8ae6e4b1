package dev.baton.eval;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Registration;
import dev.baton.process.CommandFailedException;
import dev.baton.process.Coroutine;
import dev.baton.process.CoroutineScope;
import dev.baton.process.ProcessTerminatedException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * The body of a process spawned by {@link Eval.CreateProcess}: a coroutine that drives the script's
 * generator.
 *
 * <p><b>Design.</b> The script never runs on the coroutine's virtual thread nor on a scheduler
 * worker: each resumption of the generator is a slice submitted to the module's script executor
 * ({@link EvalModule#onScriptThread}), and the coroutine waits for it. A slice ends when the
 * generator yields (a command descriptor) or returns. The coroutine then checks the whitelist,
 * builds the command with its {@link ScriptCommand} factory, calls it through its scope (so the
 * command is an ordinary yield of this process), and resumes the generator with the result, or
 * throws the failure into it. Termination cancels the process's context, which stops the session
 * (closing its context stops a running slice) and interrupts the coroutine's wait. Confined to the
 * coroutine's thread, apart from the session, which is built for cross-thread stops.
 */
final class ScriptProcess implements Coroutine {
  /** What one slice of the generator ended with. */
  private record Outcome(
      boolean done, @Nullable Object value, @Nullable CommandId command, ScriptArgs args) {}

  private final EvalModule module;
  private final Source source;
  private final Set<CommandId> allowed;
  private final Set<String> modules;
  private final Eval.Limits limits;

  ScriptProcess(
      EvalModule module,
      Source source,
      Set<CommandId> allowed,
      Set<String> modules,
      Eval.Limits limits) {
    this.module = module;
    this.source = source;
    this.allowed = allowed;
    this.modules = modules;
    this.limits = limits;
  }

  @Override
  public @Nullable Object run(CoroutineScope process, @Nullable Object input) throws Exception {
    String script = source.getName();
    String inputJson = Values.toJson(input, "the input of script '" + script + "'");
    Session session = module.openSessionOnScriptThread(script, limits, modules);
    Registration stopOnEnd =
        process.onCancel(
            () ->
                session.cancel(
                    () ->
                        new CancellationException(
                            "script process '" + script + "' was terminated")));
    try {
      Value[] generator = new Value[1];
      Outcome outcome =
          module.onScriptThread(
              session,
              () -> {
                session.context.eval(source);
                Value main = session.context.getBindings(JsSandbox.LANGUAGE).getMember("main");
                if (main == null || !main.canExecute()) {
                  throw new ScriptFailedException(
                      script,
                      "TypeError",
                      "a script process must declare a function main(input), ideally function*",
                      0);
                }
                Value argument = session.parseJson(inputJson);
                if (!session.isGeneratorFunction(main)) {
                  return new Outcome(
                      true,
                      Values.fromScript(main.execute(argument), "the result of script " + script),
                      null,
                      new ScriptArgs(Map.of()));
                }
                generator[0] = main.execute(argument);
                return read(session, session.resume(generator[0], session.parseJson("null")));
              });
      long commands = 0;
      while (!outcome.done()) {
        CommandId id = outcome.command();
        if (id == null) {
          throw new IllegalStateException("an outcome not done has a command");
        }
        ScriptCommand factory = factory(script, id);
        // Counted here: the commands run outside the slices, where the other limits do not look
        // (a yield* over a prepared array yields without a statement).
        if (++commands > limits.maxCommands()) {
          throw session.limitExceeded(ScriptLimitExceededException.Limit.COMMANDS);
        }
        Command<?> command = build(script, id, factory, outcome.args());
        String resumeJson = "null";
        Throwable failure = null;
        try {
          Object result = process.call(command);
          resumeJson =
              Values.toJson(
                  factory.toScript(result),
                  "the result of command " + id.value() + " yielded by script '" + script + "'");
        } catch (ProcessTerminatedException terminated) {
          throw terminated;
        } catch (CommandFailedException wrapped) {
          // A checked failure, wrapped by the scope: the script sees the failure itself.
          failure = wrapped.getCause() == null ? wrapped : wrapped.getCause();
        } catch (RuntimeException failed) {
          failure = failed;
        }
        final String json = resumeJson;
        Throwable thrown = failure;
        Value iterator = generator[0];
        if (iterator == null) {
          throw new IllegalStateException("a generator yielded without existing");
        }
        outcome =
            module.onScriptThread(
                session,
                () -> {
                  if (thrown != null) {
                    String name = thrown.getClass().getSimpleName();
                    String message = String.valueOf(thrown.getMessage());
                    return read(session, session.raise(iterator, session.error(name, message)));
                  }
                  return read(session, session.resume(iterator, session.parseJson(json)));
                });
      }
      return outcome.value();
    } finally {
      var _ = stopOnEnd.remove();
      module.closeSession(session);
    }
  }

  private Outcome read(Session session, Value step) {
    String script = source.getName();
    // A step normally comes from the intrinsic next/throw, but yield* passes on the delegate's own
    // result objects: anything may be here.
    if (!step.hasMembers()) {
      throw new ScriptCommandException(
          "script '" + script + "' produced the step " + step + ", which is not an object");
    }
    Value doneValue = step.getMember("done");
    boolean done = doneValue != null && doneValue.isBoolean() && doneValue.asBoolean();
    Value value = step.getMember("value");
    if (value == null) {
      value = session.parseJson("null");
    }
    if (done) {
      return new Outcome(
          true,
          Values.fromScript(value, "the result of script '" + script + "'"),
          null,
          new ScriptArgs(Map.of()));
    }
    Value command = value.hasMembers() ? value.getMember("command") : null;
    if (command == null || !command.isNumber() || !command.fitsInInt()) {
      throw new ScriptCommandException(
          "script '"
              + script
              + "' yielded "
              + value
              + ", which is not a command; yield baton.command(id, args)");
    }
    int id = command.asInt();
    if (id < 0 || id > CommandId.MAX_VALUE) {
      throw new ScriptCommandException(
          "script '" + script + "' yielded command id " + id + ", which is not a command id");
    }
    Value args = value.getMember("args");
    Object converted =
        args == null ? Map.of() : Values.fromScript(args, "the arguments of command " + id);
    if (converted == null) {
      converted = Map.of();
    }
    if (!(converted instanceof Map<?, ?> map)) {
      throw new ScriptCommandException(
          "script '"
              + script
              + "' yielded command "
              + id
              + " with arguments "
              + converted
              + "; the arguments must be an object");
    }
    @SuppressWarnings("unchecked") // maps made by the conversion have string keys
    Map<String, @Nullable Object> named = (Map<String, @Nullable Object>) map;
    return new Outcome(false, null, CommandId.of(id), new ScriptArgs(named));
  }

  private ScriptCommand factory(String script, CommandId id) {
    if (!allowed.contains(id)) {
      throw new CommandNotAllowedException(script, id);
    }
    ScriptCommand factory = module.factory(id);
    if (factory == null) {
      throw new ScriptCommandException(
          "script '"
              + script
              + "' yielded command id "
              + id.value()
              + ", which is allowed but has no ScriptCommand factory; register one with"
              + " EvalModule.Builder.command");
    }
    return factory;
  }

  private static Command<?> build(
      String script, CommandId id, ScriptCommand factory, ScriptArgs args) {
    try {
      return factory.create(args);
    } catch (RuntimeException refused) {
      throw new ScriptCommandException(
          "script '"
              + script
              + "' yielded command "
              + id.value()
              + " with arguments its factory refused: "
              + refused.getMessage(),
          refused);
    }
  }
}
