package dev.baton.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), falling back to {@code EVAL} (which also loads
 * it) when the server does not know it, as after a restart. Immutable and thread-safe.
 */
final class Script {
  private final String source;
  private final String sha;

  Script(String source) {
    this.source = source;
    try {
      this.sha =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }

  /** Runs the script; the future fails with the server's error if the script fails. */
  <T> CompletableFuture<T> run(
      RedisAsyncCommands<byte[], byte[]> redis,
      ScriptOutputType type,
      byte[][] keys,
      byte[]... args) {
    CompletableFuture<T> bySha = redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
    return bySha.exceptionallyCompose(
        e -> {
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof RedisNoScriptException) {
            return redis.<T>eval(source, type, keys, args).toCompletableFuture();
          }
          return CompletableFuture.failedFuture(cause);
        });
  }
}
