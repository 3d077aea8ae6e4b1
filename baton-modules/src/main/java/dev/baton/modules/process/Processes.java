package dev.baton.modules.process;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import dev.baton.process.Coroutine;
import dev.baton.process.Message;
import dev.baton.process.Pid;
import dev.baton.process.StepProcess;
import org.jspecify.annotations.Nullable;

/**
 * The process module's commands and their ids (DESIGN.md's table), handled by {@link
 * ProcessModule}.
 *
 * <p>Commands are immutable values and may be built on any thread. A command that carries a body
 * ({@link Spawn}, {@link Exec}) holds the {@link StepProcess} instance it spawns: a step process
 * has state, so build a new command (with a new instance) for each spawn.
 */
public final class Processes {
  /** The id of {@link Send}. */
  public static final CommandId SEND = CommandId.of(1);

  /** The id of {@link Spawn}. */
  public static final CommandId SPAWN = CommandId.of(2);

  /** The id of {@link Terminate}. */
  public static final CommandId TERMINATE = CommandId.of(3);

  /** The id of {@link Cancel}. */
  public static final CommandId CANCEL = CommandId.of(4);

  /** The id of {@link Monitor}. */
  public static final CommandId MONITOR = CommandId.of(5);

  /** The id of {@link Unmonitor}. */
  public static final CommandId UNMONITOR = CommandId.of(6);

  /** The id of {@link Link}. */
  public static final CommandId LINK = CommandId.of(7);

  /** The id of {@link Unlink}. */
  public static final CommandId UNLINK = CommandId.of(8);

  /** The id of {@link Exec}. */
  public static final CommandId EXEC = CommandId.of(9);

  private Processes() {}

  // ---- addressing ----

  /**
   * Where a {@link Send} goes: a pid ({@link ByPid}) or a registered name ({@link ByName}), looked
   * up when the command is handled.
   */
  public sealed interface Target permits ByPid, ByName {}

  /**
   * The process {@code pid}.
   *
   * @param pid the receiving process
   */
  public record ByPid(Pid pid) implements Target {
    /** Requires a pid. */
    public ByPid {
      requireNonNull(pid, "pid");
    }
  }

  /**
   * The live process registered under {@code name} when the command is handled.
   *
   * @param name the registered name; not blank
   */
  public record ByName(String name) implements Target {
    /** Requires a non-blank name. */
    public ByName {
      requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
    }
  }

  // ---- bodies ----

  /**
   * What {@link Spawn} and {@link Exec} run: a step process ({@link #step}) or a coroutine ({@link
   * #coroutine}). Two factories rather than overloads, because both {@link StepProcess} and {@link
   * Coroutine} can be written as lambdas.
   */
  public sealed interface Body permits StepBody, CoroutineBody {

    /** A step process; the instance is the process, so use a new one per spawn. */
    static Body step(StepProcess process) {
      return new StepBody(process);
    }

    /** A coroutine, run on a virtual thread of its own. */
    static Body coroutine(Coroutine body) {
      return new CoroutineBody(body);
    }
  }

  /**
   * A step process to spawn.
   *
   * @param process the process instance (stateful: one spawn per instance)
   */
  public record StepBody(StepProcess process) implements Body {
    /** Requires a process. */
    public StepBody {
      requireNonNull(process, "process");
    }
  }

  /**
   * A coroutine to spawn.
   *
   * @param body the coroutine's code
   */
  public record CoroutineBody(Coroutine body) implements Body {
    /** Requires a body. */
    public CoroutineBody {
      requireNonNull(body, "body");
    }
  }

  /**
   * How {@link Spawn} wires the child, relative to the process that yields the command (the
   * caller): the handler turns these into {@link dev.baton.process.SpawnOptions} whose parent is
   * the caller.
   *
   * @param link link the caller and the child: the failure of either ends the other (unless it
   *     traps links); needs a process caller
   * @param monitor let the caller receive the child's {@link Message#EXIT_TOPIC} message; needs a
   *     process caller
   * @param name register the child under this unique name, or null
   * @param trapLinks the child receives its links' failures as {@link Message#LINK_DOWN_TOPIC}
   *     messages instead of dying of them
   */
  public record ChildOptions(
      boolean link, boolean monitor, @Nullable String name, boolean trapLinks) {

    /** No link, no monitor, no name, links not trapped. */
    public static final ChildOptions NONE = new ChildOptions(false, false, null, false);

    /** Rejects a blank name. */
    public ChildOptions {
      if (name != null && name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank (use null for no name)");
      }
    }

    /** These options, with the caller linked to the child. */
    public ChildOptions linked() {
      return new ChildOptions(true, monitor, name, trapLinks);
    }

    /** These options, with the caller monitoring the child. */
    public ChildOptions monitored() {
      return new ChildOptions(link, true, name, trapLinks);
    }

    /** These options, with the child registered under {@code name}. */
    public ChildOptions named(String name) {
      return new ChildOptions(link, monitor, requireNonNull(name, "name"), trapLinks);
    }

    /** These options, with the child trapping its links' failures. */
    public ChildOptions trappingLinks() {
      return new ChildOptions(link, monitor, name, true);
    }
  }

  // ---- commands ----

  /**
   * 1: sends a message to a process; completes with {@code true} once it is in the target's
   * mailbox. The message's sender is the calling process (null for a caller that is not one).
   *
   * <p>Errors: {@link dev.baton.process.ProcessNotFoundException} if the pid names no live process
   * (never existed or ended); {@link NameNotFoundException} if no live process holds the name;
   * {@link dev.baton.process.MailboxFullException} if the target's mailbox is full.
   *
   * @param to the receiver
   * @param topic the message's topic; not reserved (topics starting with {@code @} belong to the
   *     runtime)
   * @param payload the message's content, passed by reference (immutable values are safest)
   */
  public record Send(Target to, String topic, @Nullable Object payload)
      implements Command<Boolean> {

    /**
     * Requires a target and a topic, and rejects reserved topics.
     *
     * @throws IllegalArgumentException if the topic starts with {@code @}
     */
    public Send {
      requireNonNull(to, "to");
      requireNonNull(topic, "topic");
      if (topic.startsWith("@")) {
        throw new IllegalArgumentException(
            "topic '"
                + topic
                + "' is reserved for the runtime's notifications (topics starting with @)");
      }
    }

    /** Sends to the process {@code to}. */
    public Send(Pid to, String topic, @Nullable Object payload) {
      this(new ByPid(to), topic, payload);
    }

    /** Sends to the live process registered under {@code name}. */
    public static Send toName(String name, String topic, @Nullable Object payload) {
      return new Send(new ByName(name), topic, payload);
    }

    @Override
    public CommandId commandId() {
      return SEND;
    }
  }

  /**
   * 2: spawns a child process and completes with its pid (for a step process, once its {@code init}
   * has run).
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the options link or monitor and
   * the caller is not a process; {@link dev.baton.process.NameTakenException} if the name is held
   * by a live process; {@link dev.baton.process.SpawnFailedException} if the step process's {@code
   * init} threw; {@link dev.baton.process.MaxProcessesExceededException} if the scheduler is full.
   *
   * @param body what to run
   * @param input what the child receives as its input
   * @param options how the child is wired to the caller
   */
  public record Spawn(Body body, @Nullable Object input, ChildOptions options)
      implements Command<Pid> {

    /** Requires a body and options. */
    public Spawn {
      requireNonNull(body, "body");
      requireNonNull(options, "options");
    }

    /** Spawns the step process {@code process} (a new instance per spawn) with no options. */
    public static Spawn step(StepProcess process, @Nullable Object input) {
      return new Spawn(Body.step(process), input, ChildOptions.NONE);
    }

    /** Spawns the coroutine {@code body} with no options. */
    public static Spawn coroutine(Coroutine body, @Nullable Object input) {
      return new Spawn(Body.coroutine(body), input, ChildOptions.NONE);
    }

    /** This spawn with {@code options}. */
    public Spawn with(ChildOptions options) {
      return new Spawn(body, input, options);
    }

    /** This spawn, with the caller linked to the child. */
    public Spawn linked() {
      return with(options.linked());
    }

    /** This spawn, with the caller monitoring the child. */
    public Spawn monitored() {
      return with(options.monitored());
    }

    /** This spawn, with the child registered under {@code name}. */
    public Spawn named(String name) {
      return with(options.named(name));
    }

    /** This spawn, with the child trapping its links' failures. */
    public Spawn trappingLinks() {
      return with(options.trappingLinks());
    }

    @Override
    public CommandId commandId() {
      return SPAWN;
    }
  }

  /**
   * 3: stops a process forcefully (it ends with a {@link
   * dev.baton.process.ProcessTerminatedException} carrying {@code reason}); completes with {@code
   * true} once the termination is under way.
   *
   * <p>Errors: {@link dev.baton.process.ProcessNotFoundException} if the pid names no live process.
   *
   * @param target the process to stop
   * @param reason why, for the target's error and logs
   */
  public record Terminate(Pid target, String reason) implements Command<Boolean> {
    /** Requires a target and a reason. */
    public Terminate {
      requireNonNull(target, "target");
      requireNonNull(reason, "reason");
    }

    /** Terminates {@code target} with the reason {@code "terminated"}. */
    public Terminate(Pid target) {
      this(target, "terminated");
    }

    @Override
    public CommandId commandId() {
      return TERMINATE;
    }
  }

  /**
   * 4: asks a process to stop, cooperatively: it receives a message on {@link Message#CANCEL_TOPIC}
   * with {@code reason} as the payload, and decides what to do. Completes with {@code true} once
   * the message is delivered (the cancel bypasses the mailbox bound).
   *
   * <p>Errors: {@link dev.baton.process.ProcessNotFoundException} if the pid names no live process.
   *
   * @param target the process to ask
   * @param reason the cancel message's payload
   */
  public record Cancel(Pid target, String reason) implements Command<Boolean> {
    /** Requires a target and a reason. */
    public Cancel {
      requireNonNull(target, "target");
      requireNonNull(reason, "reason");
    }

    /** Cancels {@code target} with the reason {@code "cancelled"}. */
    public Cancel(Pid target) {
      this(target, "cancelled");
    }

    @Override
    public CommandId commandId() {
      return CANCEL;
    }
  }

  /**
   * 5: the caller monitors {@code target}: when the target ends, however it ends, the caller
   * receives a message on {@link Message#EXIT_TOPIC} whose payload is an {@link
   * dev.baton.process.ExitSignal}. Completes with {@code true}.
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process;
   * {@link dev.baton.process.ProcessNotFoundException} if the target has ended (unlike Erlang, no
   * immediate exit message: the caller learns it in the completion).
   *
   * @param target the process to watch
   */
  public record Monitor(Pid target) implements Command<Boolean> {
    /** Requires a target. */
    public Monitor {
      requireNonNull(target, "target");
    }

    @Override
    public CommandId commandId() {
      return MONITOR;
    }
  }

  /**
   * 6: removes the caller's monitor of {@code target}; completes with whether it existed (false
   * also when the target has ended, since its monitors ended with it).
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process.
   *
   * @param target the watched process
   */
  public record Unmonitor(Pid target) implements Command<Boolean> {
    /** Requires a target. */
    public Unmonitor {
      requireNonNull(target, "target");
    }

    @Override
    public CommandId commandId() {
      return UNMONITOR;
    }
  }

  /**
   * 7: links the caller and {@code target}: when either fails, the other is terminated, or, if it
   * traps links, receives a message on {@link Message#LINK_DOWN_TOPIC}. Linking again is a no-op.
   * Completes with {@code true}.
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process;
   * {@link dev.baton.process.ProcessNotFoundException} if the target has ended; {@link
   * IllegalArgumentException} if the target is the caller.
   *
   * @param target the process to link with
   */
  public record Link(Pid target) implements Command<Boolean> {
    /** Requires a target. */
    public Link {
      requireNonNull(target, "target");
    }

    @Override
    public CommandId commandId() {
      return LINK;
    }
  }

  /**
   * 8: removes the link between the caller and {@code target}; completes with whether it existed.
   *
   * <p>Errors: {@link dev.baton.modules.NotAProcessException} if the caller is not a process.
   *
   * @param target the linked process
   */
  public record Unlink(Pid target) implements Command<Boolean> {
    /** Requires a target. */
    public Unlink {
      requireNonNull(target, "target");
    }

    @Override
    public CommandId commandId() {
      return UNLINK;
    }
  }

  /**
   * 9: spawns a child, waits for it to end, and completes with the value it ended with (null when
   * the child returned null: the result type is {@code Object} only because {@code Command}'s type
   * parameter cannot be nullable). The child is not linked or monitored by the caller and has no
   * name; its result comes back in the completion only.
   *
   * <p>Errors: {@link ChildFailedException} (cause: the child's error) if the child failed or was
   * terminated; the spawn's own errors ({@link dev.baton.process.SpawnFailedException}, {@link
   * dev.baton.process.MaxProcessesExceededException}) as they are. If the caller ends while the
   * child runs, or the yield's deadline passes ({@link dev.baton.process.YieldTimeoutException}),
   * the child is terminated: a child nobody waits for could only leak.
   *
   * @param body what to run
   * @param input what the child receives as its input
   */
  public record Exec(Body body, @Nullable Object input) implements Command<Object> {
    /** Requires a body. */
    public Exec {
      requireNonNull(body, "body");
    }

    /** Runs the step process {@code process} (a new instance per exec) to its end. */
    public static Exec step(StepProcess process, @Nullable Object input) {
      return new Exec(Body.step(process), input);
    }

    /** Runs the coroutine {@code body} to its end. */
    public static Exec coroutine(Coroutine body, @Nullable Object input) {
      return new Exec(Body.coroutine(body), input);
    }

    @Override
    public CommandId commandId() {
      return EXEC;
    }
  }
}
