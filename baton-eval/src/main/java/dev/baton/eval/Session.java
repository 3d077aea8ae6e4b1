package dev.baton.eval;

import dev.baton.eval.ScriptLimitExceededException.Limit;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;
import org.jspecify.annotations.Nullable;

/**
 * One script's sandboxed context, its limits and what it has used.
 *
 * <p><b>Design.</b> The script runs in <em>slices</em> ({@link #slice}), one at a time, each on a
 * thread of the module's script executor (a platform thread, so the JVM can report its CPU time and
 * allocation). While a slice runs, {@link #current} describes it; the {@link Watchdog} reads it
 * every few milliseconds, adds what the thread used since the slice began to what earlier slices
 * used, and calls {@link #stop(Limit)} when a limit is passed. {@link #stop} and {@link #cancel}
 * may come from any thread: they record why (first reason wins) and close the context with
 * cancellation, on a virtual thread (closing waits for the script to notice). The slice's thread
 * then sees a cancelled {@link PolyglotException} and turns it into the recorded reason.
 */
final class Session implements AutoCloseable {
  /** What a running slice started from; immutable, published through {@link #current}. */
  record Slice(Thread thread, long cpuStart, long allocStart, long nanoStart) {}

  final String script;
  final Eval.Limits limits;
  final Context context;

  /** Helpers evaluated privately in the context (never reachable from the script). */
  private final Value jsonParse;

  private final Value makeError;
  private final Value isGeneratorFunction;
  private final Value resume;
  private final Value raise;

  /** The slice running now, or null; written by the slice's thread, read by the watchdog. */
  volatile @Nullable Slice current;

  /** Used by earlier slices; written by the slice's thread between slices, read by the watchdog. */
  volatile long cpuUsed;

  volatile long allocUsed;
  volatile long wallUsed;

  /** Why the session was stopped from outside, or null; set once. */
  private volatile @Nullable Supplier<RuntimeException> stopReason;

  private volatile @Nullable Limit exceeded;

  Session(JsSandbox sandbox, String script, Eval.Limits limits) {
    this.script = script;
    this.limits = limits;
    this.context = sandbox.newContext(limits.maxStatements());
    try {
      // Java interop and engine globals GraalJS defines even when host lookup is denied (the
      // options that drop them are experimental): removed, so a script sees no trace of the host or
      // the engine (they could not reach a class anyway).
      context.eval(
          JsSandbox.LANGUAGE,
          "for (const name of ['Java', 'Packages', 'java', 'javax', 'javafx', 'com', 'org', 'edu',"
              + " 'net', 'Graal']) { delete globalThis[name]; }");
      // The helpers hold the intrinsics they use, taken before any script runs: a script that
      // replaces JSON.parse, Error, Object.getPrototypeOf or the generators' next/throw cannot
      // make the module's own calls misbehave.
      this.jsonParse =
          context.eval(
              JsSandbox.LANGUAGE,
              "(() => { const parse = JSON.parse; return (text) => parse(text); })()");
      this.makeError =
          context.eval(
              JsSandbox.LANGUAGE,
              "(() => { const E = Error; return (name, message) => { const e = new E(message);"
                  + " e.name = name; return e; }; })()");
      Value generators =
          context.eval(
              JsSandbox.LANGUAGE,
              "(() => { const G = Object.getPrototypeOf(function* () {});"
                  + " const getProto = Object.getPrototypeOf, apply = Reflect.apply;"
                  + " const next = G.prototype.next, raise = G.prototype.throw;"
                  + " return [(f) => typeof f === 'function' && getProto(f) === G,"
                  + " (g, v) => apply(next, g, [v]), (g, e) => apply(raise, g, [e])]; })()");
      this.isGeneratorFunction = generators.getArrayElement(0);
      this.resume = generators.getArrayElement(1);
      this.raise = generators.getArrayElement(2);
    } catch (RuntimeException e) {
      close(); // a context that failed its set-up (the engine closing under it) is not leaked
      throw e;
    }
  }

  /** The JSON text's value inside the context. */
  Value parseJson(String json) {
    return jsonParse.execute(json);
  }

  /** An {@code Error} named {@code name} with {@code message}, inside the context. */
  Value error(String name, String message) {
    return makeError.execute(name, message);
  }

  /** The intrinsic {@code generator.next(value)}'s step result. */
  Value resume(Value generator, Value value) {
    return resume.execute(generator, value);
  }

  /** The intrinsic {@code generator.throw(error)}'s step result. */
  Value raise(Value generator, Value error) {
    return raise.execute(generator, error);
  }

  /** Whether {@code value} is a generator function. */
  boolean isGeneratorFunction(Value value) {
    return isGeneratorFunction.execute(value).asBoolean();
  }

  /**
   * Runs {@code work} on this thread as one slice of the script, under the limits; failures of the
   * script come out as the module's typed exceptions.
   */
  // The totals have one writer, the slice's thread (slices never overlap); the watchdog only reads.
  @SuppressWarnings("NonAtomicVolatileUpdate")
  <T> T slice(Callable<T> work) throws Exception {
    rethrowIfStopped();
    Thread thread = Thread.currentThread();
    Slice slice =
        new Slice(thread, Watchdog.cpuTime(thread), Watchdog.allocated(thread), System.nanoTime());
    current = slice;
    T result;
    try {
      result = work.call();
    } catch (PolyglotException e) {
      throw translate(e);
    } catch (IllegalStateException e) {
      // The context was closed under the slice (a stop or a cancel between two calls into it).
      Supplier<RuntimeException> reason = stopReason;
      throw reason != null ? reason.get() : e;
    } catch (OutOfMemoryError e) {
      stop(Limit.MEMORY);
      throw limitExceeded(Limit.MEMORY);
    } finally {
      current = null;
      cpuUsed += Watchdog.cpuTime(thread) - slice.cpuStart();
      allocUsed += Watchdog.allocated(thread) - slice.allocStart();
      wallUsed += System.nanoTime() - slice.nanoStart();
    }
    // The watchdog looks only every few milliseconds: a slice that passed a limit and ended
    // between two ticks is caught here, so no result leaves a run that exceeded its limits.
    Limit over = overLimit(cpuUsed, wallUsed, allocUsed);
    if (over != null) {
      stop(over);
      rethrowIfStopped();
    }
    return result;
  }

  /** The first limit the given totals exceed (memory, then CPU, then wall time), or null. */
  @Nullable Limit overLimit(long cpu, long wall, long alloc) {
    if (alloc > limits.maxAllocatedBytes()) {
      return Limit.MEMORY;
    }
    if (cpu > limits.cpuTime().toNanos()) {
      return Limit.CPU_TIME;
    }
    if (wall > limits.wallTime().toNanos()) {
      return Limit.WALL_TIME;
    }
    return null;
  }

  /** Stops the script because it passed {@code limit}; the first reason wins. */
  synchronized void stop(Limit limit) {
    if (stopReason == null) {
      exceeded = limit;
      stopReason = () -> limitExceeded(limit);
      closeInBackground();
    }
  }

  /** Stops the script for a reason other than a limit; the first reason wins. */
  synchronized void cancel(Supplier<RuntimeException> reason) {
    if (stopReason == null) {
      stopReason = reason;
      closeInBackground();
    }
  }

  /** The limit the watchdog found exceeded, if any. */
  @Nullable Limit exceeded() {
    return exceeded;
  }

  private void rethrowIfStopped() {
    Supplier<RuntimeException> reason = stopReason;
    if (reason != null) {
      throw reason.get();
    }
  }

  private RuntimeException translate(PolyglotException e) {
    Supplier<RuntimeException> reason = stopReason;
    if (reason != null && (e.isCancelled() || e.isResourceExhausted() || e.isInterrupted())) {
      return reason.get();
    }
    if (e.isResourceExhausted()) {
      String message = String.valueOf(e.getMessage());
      Limit limit = message.contains("Statement count limit") ? Limit.STATEMENTS : Limit.MEMORY;
      return limitExceeded(limit);
    }
    if (e.isCancelled() || e.isInterrupted()) {
      return new CancellationException("script '" + script + "' was cancelled");
    }
    if (e.isSyntaxError()) {
      return compileError(script, e);
    }
    if (e.isHostException()) {
      Throwable host = e.asHostException();
      return host instanceof RuntimeException runtime ? runtime : e;
    }
    String name = "Error";
    String message = String.valueOf(e.getMessage());
    if (e.isGuestException()) {
      // Reading the thrown value's name and message may run the script's own code (getters,
      // proxies): still inside the slice, so under the limits; if it is stopped meanwhile, or
      // itself throws, the stop's reason or a generic error is reported instead.
      try {
        Value guest = e.getGuestObject();
        if (guest != null && guest.hasMembers()) {
          Value guestName = guest.getMember("name");
          Value guestMessage = guest.getMember("message");
          if (guestName != null && guestName.isString()) {
            name = guestName.asString();
          }
          if (guestMessage != null && guestMessage.isString()) {
            message = guestMessage.asString();
          }
        } else if (guest != null) {
          name = "thrown value";
          message = guest.toString();
        }
      } catch (PolyglotException | IllegalStateException unreadable) {
        if (unreadable instanceof PolyglotException stopped
            && (stopped.isCancelled()
                || stopped.isResourceExhausted()
                || stopped.isInterrupted())) {
          return translate(stopped); // a limit or a stop: never a guest exception, no recursion
        }
        Supplier<RuntimeException> late = stopReason;
        if (late != null) {
          return late.get();
        }
        name = "Error";
        message = "a thrown value whose name or message could not be read";
      }
    } else if (e.isInternalError()) {
      name = "InternalError";
    }
    return new ScriptFailedException(script, name, message, line(e));
  }

  /** The line of the script where {@code e} was thrown, from 1, or 0 if unknown. */
  private static int line(PolyglotException e) {
    SourceSection location = e.getSourceLocation();
    if (location != null && location.isAvailable()) {
      return location.getStartLine();
    }
    for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
      SourceSection section = frame.getSourceLocation();
      if (frame.isGuestFrame() && section != null && section.isAvailable()) {
        return section.getStartLine();
      }
    }
    return 0;
  }

  ScriptLimitExceededException limitExceeded(Limit limit) {
    String detail =
        switch (limit) {
          case STATEMENTS -> limits.maxStatements() + " statements";
          case CPU_TIME -> limits.cpuTime() + " of CPU";
          case WALL_TIME -> limits.wallTime() + " of wall time";
          case MEMORY -> limits.maxAllocatedBytes() + " bytes allocated";
          case COMMANDS -> limits.maxCommands() + " commands yielded";
        };
    return new ScriptLimitExceededException(script, limit, detail);
  }

  static ScriptCompileException compileError(String script, PolyglotException e) {
    SourceSection location = e.getSourceLocation();
    boolean known = location != null && location.isAvailable();
    return new ScriptCompileException(
        script,
        known ? location.getStartLine() : 0,
        known ? location.getStartColumn() : 0,
        String.valueOf(e.getMessage()));
  }

  private void closeInBackground() {
    Thread.ofVirtual().name("eval-stop-" + script).start(this::close);
  }

  /** Closes the context, cancelling the script if it still runs. Idempotent, any thread. */
  @Override
  public void close() {
    try {
      context.close(true);
    } catch (PolyglotException | IllegalStateException e) {
      // The cancellation or the limit that closed it reports itself here: already handled.
    }
  }
}
