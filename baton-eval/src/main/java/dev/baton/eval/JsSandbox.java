package dev.baton.eval;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.ResourceLimits;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.IOAccess;

/**
 * The module's GraalJS engine and the recipe of its sandboxed contexts.
 *
 * <p>One {@link Engine} is shared by every context, so a source parsed once (by {@link
 * Eval.Compile}) is not parsed again. Each run gets a fresh {@link Context} built with GraalVM's
 * {@link SandboxPolicy#CONSTRAINED} policy and everything denied: no host access or class lookup,
 * no IO, threads, processes, native access, environment or polyglot access, output streams
 * discarded, and a statement limit. The {@code load} and {@code print} builtins are switched off.
 * Thread-safe: the engine may be used by many threads; each context by one thread at a time.
 */
final class JsSandbox implements AutoCloseable {
  static final String LANGUAGE = "js";

  /**
   * The {@code baton} module, installed for script processes: builds the command descriptors a
   * process yields. Plain JavaScript; frozen so a script cannot alter it.
   */
  static final String BATON_MODULE =
      """
      (function () {
        const command = (id, args) => {
          if (typeof id !== 'number' || !Number.isInteger(id)) {
            throw new TypeError('baton.command: the command id must be an integer, was ' + id);
          }
          return Object.freeze({ command: id, args: args === undefined ? {} : args });
        };
        const opt = (args, name, value) => { if (value !== undefined) args[name] = value; return args; };
        globalThis.baton = Object.freeze({
          command,
          store: Object.freeze({
            get: (key, store) => command(120, opt({ key }, 'store', store)),
            set: (key, value, store) => command(121, opt({ key, value }, 'store', store)),
          }),
          event: Object.freeze({ send: (topic, payload) => command(91, opt({ topic }, 'payload', payload)) }),
          clock: Object.freeze({ sleep: (millis) => command(10, { millis }) }),
          fn: Object.freeze({ call: (task, ...args) => command(140, { task, arguments: args }) }),
        });
      })();
      """;

  /** The built-in {@code json} script module. */
  static final String JSON_MODULE =
      """
      globalThis.json = Object.freeze({
        encode: (value, indent) => JSON.stringify(value, null, indent),
        decode: (text) => JSON.parse(text),
      });
      """;

  private final Engine engine;
  private final Map<String, Source> modules;

  /**
   * @param modules the script modules a run may whitelist, by name (JavaScript sources run before
   *     the script)
   */
  JsSandbox(Map<String, String> modules) {
    this.engine =
        Engine.newBuilder(LANGUAGE)
            .sandbox(SandboxPolicy.CONSTRAINED)
            .out(OutputStream.nullOutputStream())
            .err(OutputStream.nullOutputStream())
            .option("engine.WarnInterpreterOnly", "false")
            .build();
    Map<String, Source> sources = new java.util.LinkedHashMap<>();
    modules.forEach(
        (name, text) ->
            sources.put(
                name, Source.newBuilder(LANGUAGE, text, "module-" + name + ".js").buildLiteral()));
    this.modules = Map.copyOf(sources);
  }

  /** The names of the script modules. */
  Set<String> moduleNames() {
    return modules.keySet();
  }

  /** A source, cached by the engine once parsed. */
  static Source source(String name, String text) {
    return Source.newBuilder(LANGUAGE, text, name).cached(true).buildLiteral();
  }

  /**
   * Checks every name in {@code requested} is a module.
   *
   * @throws UnknownScriptModuleException if one is not
   */
  void checkModules(Set<String> requested) {
    for (String name : requested) {
      if (!modules.containsKey(name)) {
        throw new UnknownScriptModuleException(name, modules.keySet());
      }
    }
  }

  /** A new sandboxed context with {@code limits}' statement limit; the caller closes it. */
  Context newContext(long maxStatements) {
    return Context.newBuilder(LANGUAGE)
        .engine(engine)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .allowHostAccess(HostAccess.CONSTRAINED)
        .allowHostClassLookup(className -> false)
        .allowHostClassLoading(false)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE)
        .allowInnerContextOptions(false)
        .allowValueSharing(false)
        .in(new ByteArrayInputStream(new byte[0]))
        .out(OutputStream.nullOutputStream())
        .err(OutputStream.nullOutputStream())
        .option("js.load", "false")
        .option("js.print", "false")
        .resourceLimits(ResourceLimits.newBuilder().statementLimit(maxStatements, null).build())
        .build();
  }

  /** Installs the module {@code name} (known: see {@link #checkModules}) into {@code context}. */
  void install(Context context, String name) {
    Source module = modules.get(name);
    if (module == null) {
      throw new UnknownScriptModuleException(name, modules.keySet());
    }
    context.eval(module);
  }

  /**
   * Parses {@code source} in a throwaway context (the engine caches the result).
   *
   * @throws ScriptCompileException if it does not parse
   */
  void check(Source source) {
    try (Context context = newContext(Long.MAX_VALUE)) {
      context.parse(source);
    } catch (PolyglotException e) {
      if (e.isSyntaxError()) {
        throw Session.compileError(source.getName(), e);
      }
      throw e;
    }
  }

  /** Closes the engine, cancelling whatever still runs in its contexts. */
  @Override
  public void close() {
    try {
      engine.close(true);
    } catch (PolyglotException | IllegalStateException e) {
      // Already closed, or a context's cancellation reported itself: nothing is left running.
    }
  }
}
