package dev.baton.cli.demo;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.Registration;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.time.Scheduled;
import dev.baton.time.SystemTimeSource;
import dev.baton.time.TimeSource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The demo's example module: a user-defined service with two custom commands, showing the two ways
 * a handler completes a tag.
 *
 * <ul>
 *   <li>{@link Greet} answers at once, on the dispatching thread; a blank name makes the handler
 *       throw, which the router turns into an error completion.
 *   <li>{@link GreetLater} answers after a delay, from the node's timer thread, and cancels its
 *       timer if the caller goes away first; it captures the node's time source once, when it
 *       registers, rather than looking it up on every command.
 * </ul>
 */
public final class GreeterModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "greeter";

  /** The id of {@link Greet}: custom ids start at 256. */
  public static final CommandId GREET = CommandId.of(256);

  /** The id of {@link GreetLater}. */
  public static final CommandId GREET_LATER = CommandId.of(257);

  /**
   * Asks for a greeting at once.
   *
   * @param name who to greet; must not be blank
   */
  public record Greet(String name) implements Command<String> {
    @Override
    public CommandId commandId() {
      return GREET;
    }
  }

  /**
   * Asks for a greeting after {@code delay}.
   *
   * @param name who to greet
   * @param delay how long the greeter waits before answering
   */
  public record GreetLater(String name, Duration delay) implements Command<String> {
    @Override
    public CommandId commandId() {
      return GREET_LATER;
    }
  }

  private final String module;

  /** Creates the module under its own name, {@value #MODULE}. */
  public GreeterModule() {
    this(MODULE);
  }

  /** Creates the same handlers under another module name (the demo's id collision). */
  GreeterModule(String module) {
    this.module = module;
  }

  @Override
  public String module() {
    return module;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(GREET, GREET_LATER);
  }

  /** The greeter answers {@link GreetLater} on the node's timer. */
  @Override
  public List<String> dependsOn() {
    return List.of(SystemTimeSource.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    TimeSource time = services.require(TimeSource.KEY);
    registrar.register(GREET, Handler.forType(Greet.class, GreeterModule::greet));
    registrar.register(
        GREET_LATER,
        Handler.forType(
            GreetLater.class,
            (context, greet, tag, receiver) -> greetLater(time, context, greet, tag, receiver)));
  }

  private static void greet(
      CommandContext context, Greet greet, long tag, ResultReceiver receiver) {
    if (greet.name().isBlank()) {
      throw new IllegalArgumentException("a greeting needs a name");
    }
    receiver.completeYield(tag, "Hello, " + greet.name() + "!", null);
  }

  private static void greetLater(
      TimeSource time,
      CommandContext context,
      GreetLater greet,
      long tag,
      ResultReceiver receiver) {
    if (context.isCancelled()) {
      // Nobody reads the completion, but completing lets the runtime forget the yield.
      receiver.completeYield(tag, null, new CancellationException("nobody waits for the greeting"));
      return;
    }
    AtomicReference<@Nullable Registration> stopOnCancel = new AtomicReference<>();
    Scheduled timer =
        time.schedule(
            greet.delay(),
            () -> {
              Registration registration = stopOnCancel.get();
              if (registration != null) {
                registration.remove();
              }
              receiver.completeYield(tag, "Hello, " + greet.name() + "!", null);
            });
    // Runs at once if the caller went away meanwhile. If it wins the race with the timer, the
    // greeting is never sent: complete with an error (dropped by the runtime) so the tag is freed.
    stopOnCancel.set(
        context.onCancel(
            () -> {
              if (timer.cancel()) {
                receiver.completeYield(
                    tag, null, new CancellationException("nobody waits for the greeting"));
              }
            }));
  }
}
