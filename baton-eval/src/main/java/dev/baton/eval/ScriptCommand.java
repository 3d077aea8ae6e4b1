package dev.baton.eval;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.modules.clock.Clock;
import dev.baton.modules.event.Events;
import dev.baton.modules.function.Functions;
import dev.baton.modules.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Builds the command a script process yields from the script's plain data, and converts the
 * command's result back for the script. Registered by command id with {@link
 * EvalModule.Builder#command}; a script yields {@code baton.command(id, args)} and only ids its
 * {@link Eval.CreateProcess} allows reach the factory.
 *
 * <p>Called on the script process's own thread (a virtual thread), one call at a time per process;
 * implementations must be thread-safe across processes (stateless ones are). A factory that refuses
 * its arguments throws {@link IllegalArgumentException} (or the command record's own validation
 * does), and the process fails with a {@link ScriptCommandException}.
 */
public interface ScriptCommand {

  /** Builds the command from the script's arguments. */
  Command<?> create(ScriptArgs args);

  /**
   * Converts the command's result into a value the script can receive (see {@link Eval}); by
   * default the result itself.
   */
  default @Nullable Object toScript(@Nullable Object result) {
    return result;
  }

  /** A factory from {@code create}, passing results through unchanged. */
  static ScriptCommand of(Function<ScriptArgs, Command<?>> create) {
    requireNonNull(create, "create");
    return create::apply;
  }

  /** A factory from {@code create} and {@code toScript}. */
  static ScriptCommand of(
      Function<ScriptArgs, Command<?>> create,
      Function<@Nullable Object, @Nullable Object> toScript) {
    requireNonNull(create, "create");
    requireNonNull(toScript, "toScript");
    return new ScriptCommand() {
      @Override
      public Command<?> create(ScriptArgs args) {
        return create.apply(args);
      }

      @Override
      public @Nullable Object toScript(@Nullable Object result) {
        return toScript.apply(result);
      }
    };
  }

  /**
   * The standard factories, which {@link EvalModule#builder()} starts with:
   *
   * <ul>
   *   <li>{@code 120} store Get {@code {key, store?}}: the value as a UTF-8 string;
   *   <li>{@code 121} store Set {@code {key, value, store?}} ({@code value} a string, stored as
   *       UTF-8): the new version;
   *   <li>{@code 91} event Send {@code {topic, payload?}}: how many subscribers received it;
   *   <li>{@code 10} clock Sleep {@code {millis}}: the wake-up instant as an ISO-8601 string;
   *   <li>{@code 140} function Call {@code {task, arguments?}}: the task's value.
   * </ul>
   */
  static Map<CommandId, ScriptCommand> standard() {
    Map<CommandId, ScriptCommand> standard = new LinkedHashMap<>();
    standard.put(
        Store.GET,
        of(
            args -> new Store.Get(args.string("store", Store.DEFAULT_STORE), args.string("key")),
            result ->
                result instanceof byte[] bytes
                    ? new String(bytes, StandardCharsets.UTF_8)
                    : result));
    standard.put(
        Store.SET,
        of(
            args ->
                new Store.Set(
                    args.string("store", Store.DEFAULT_STORE),
                    args.string("key"),
                    args.string("value").getBytes(StandardCharsets.UTF_8))));
    standard.put(
        Events.SEND, of(args -> new Events.Send(args.string("topic"), args.value("payload"))));
    standard.put(
        Clock.SLEEP, of(args -> new Clock.Sleep(Duration.ofMillis(args.longValue("millis")))));
    standard.put(
        Functions.CALL,
        of(
            args ->
                Functions.Call.of(
                    args.string("task"), args.list("arguments").toArray(new Object[0]))));
    return Map.copyOf(standard);
  }
}
