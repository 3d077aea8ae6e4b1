package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@code redis://} or {@code rediss://} URI into a connected client, the one place both
 * {@link RedisBroker} and {@link RedisBackend} read their configuration from.
 *
 * <p>The URI is {@code redis[s]://[[user]:password@]host[:port][/database]} (port 6379 and database
 * 0 unless given; user info percent-decoded; a user info without a colon is a password, as Redis's
 * own clients read it), with these query parameters, for {@code rediss} only:
 *
 * <ul>
 *   <li>{@code truststore}: a PKCS#12 or JKS file of the certificates to trust (default: the JDK's
 *       trusted authorities), and {@code truststore_password};
 *   <li>{@code verify_peer}: {@code full} (the default: the certificate chain and the server's name
 *       against its certificate) or {@code ca} (the chain only; never outside a test). Turning
 *       verification off altogether is not offered.
 * </ul>
 *
 * <p>The URI is parsed here rather than by Lettuce's {@code RedisURI.create}, which ignores query
 * parameters it does not know (a misspelt {@code truststore} would silently fall back to the JDK's
 * authorities); an unknown parameter is an error here. Connecting waits at most 10 seconds, and a
 * failure names the URI (password hidden) and the problem: authentication, TLS, or the connection.
 */
final class RedisConnections {

  /**
   * How long connecting (and each command Lettuce itself times) may take unless the URI's {@code
   * timeout} says: 10 seconds.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final Set<String> TLS_PARAMETERS =
      Set.of("truststore", "truststore_password", "verify_peer");
  private static final Set<String> PARAMETERS =
      Set.of(
          "truststore", "truststore_password", "verify_peer", "clientName", "database", "timeout");
  private static final Pattern TIMEOUT_FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  private static final Pattern TRUSTSTORE_PASSWORD =
      Pattern.compile("([?&]truststore_password=)[^&#]*");

  private RedisConnections() {}

  /** A client's command and pub/sub connections, both open. */
  record Connected(
      RedisClient client,
      StatefulRedisConnection<byte[], byte[]> connection,
      StatefulRedisPubSubConnection<byte[], byte[]> pubsub) {}

  /**
   * Opens a command connection and a pub/sub connection to {@code uri}, with {@code listener} added
   * to the client before the first connects. On failure nothing stays open.
   *
   * @throws IllegalArgumentException if the URI is malformed, names an unknown parameter or its
   *     trust store cannot be read
   * @throws RedisConnectionException if connecting fails; the message names the URI and why
   */
  static Connected open(URI uri, RedisConnectionStateListener listener) {
    RedisClient client = client(uri);
    client.addListener(listener);
    StatefulRedisConnection<byte[], byte[]> connection = null;
    try {
      connection = client.connect(ByteArrayCodec.INSTANCE);
      StatefulRedisPubSubConnection<byte[], byte[]> pubsub =
          client.connectPubSub(ByteArrayCodec.INSTANCE);
      return new Connected(client, connection, pubsub);
    } catch (RuntimeException e) {
      if (connection != null) {
        connection.close();
      }
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new RedisConnectionException(
          "cannot connect to " + redact(uri) + ": " + problem(uri, e), e);
    }
  }

  /**
   * A client for {@code uri}, not yet connected.
   *
   * @throws IllegalArgumentException as for {@link #open}
   */
  static RedisClient client(URI uri) {
    RedisClient client = RedisClient.create(redisUri(uri));
    if (isTls(uri)) {
      client.setOptions(
          ClientOptions.builder()
              .sslOptions(
                  SslOptions.builder()
                      .jdkSslProvider()
                      .trustManager(trustManagers(parameters(uri), uri))
                      .build())
              .build());
    }
    return client;
  }

  /** Lettuce's form of {@code uri}, with the connect timeout and peer verification set. */
  static RedisURI redisUri(URI uri) {
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException(
          "a Redis URI starts with redis:// or rediss://, not " + redact(uri));
    }
    Map<String, String> query = parameters(uri);
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("the Redis URI names no host: " + redact(uri));
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    RedisURI.Builder builder =
        RedisURI.Builder.redis(
                host, uri.getPort() < 0 ? RedisURI.DEFAULT_REDIS_PORT : uri.getPort())
            .withDatabase(database(query, uri))
            .withTimeout(timeout(query, uri));
    String clientName = query.get("clientName");
    if (clientName != null) {
      builder.withClientName(clientName);
    }
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        builder.withPassword(userInfo.toCharArray());
      } else if (colon == 0) {
        builder.withPassword(userInfo.substring(1).toCharArray());
      } else {
        builder.withAuthentication(
            userInfo.substring(0, colon), userInfo.substring(colon + 1).toCharArray());
      }
    }
    if (isTls(uri)) {
      builder.withSsl(true).withVerifyPeer(verifyMode(query, uri));
    } else {
      List<String> tlsOnly =
          query.keySet().stream().filter(TLS_PARAMETERS::contains).sorted().toList();
      if (!tlsOnly.isEmpty()) {
        throw new IllegalArgumentException(
            String.join(", ", tlsOnly)
                + " is set but the URI is redis://; use rediss:// for TLS: "
                + redact(uri));
      }
    }
    return builder.build();
  }

  /** {@code uri} without its password or its trust store's, for messages and logs. */
  static String redact(URI uri) {
    String text = TRUSTSTORE_PASSWORD.matcher(uri.toString()).replaceAll("$1***");
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null) {
      return text;
    }
    int colon = userInfo.indexOf(':');
    String hidden = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
    return text.replace(userInfo + "@", hidden + "@");
  }

  private static boolean isTls(URI uri) {
    return "rediss".equals(uri.getScheme());
  }

  private static int database(Map<String, String> query, URI uri) {
    String text = query.get("database");
    if (text == null) {
      String path = uri.getPath();
      if (path == null || path.isEmpty() || path.equals("/")) {
        return 0;
      }
      text = path.substring(1);
    }
    try {
      int db = Integer.parseInt(text);
      if (db < 0) {
        throw new NumberFormatException("negative");
      }
      return db;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "the database of a Redis URI is a number of at least 0, not '"
              + text
              + "': "
              + redact(uri),
          e);
    }
  }

  private static Duration timeout(Map<String, String> query, URI uri) {
    String text = query.get("timeout");
    if (text == null) {
      return TIMEOUT;
    }
    Matcher m = TIMEOUT_FORMAT.matcher(text);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException(
          "timeout is a positive whole number with a unit ms, s, m or h (seconds if none), not '"
              + text
              + "': "
              + redact(uri));
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  private static SslVerifyMode verifyMode(Map<String, String> query, URI uri) {
    String value = query.getOrDefault("verify_peer", "full");
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "full" -> SslVerifyMode.FULL;
      case "ca" -> SslVerifyMode.CA;
      default ->
          throw new IllegalArgumentException(
              "verify_peer is full (chain and host name) or ca (chain only), not '"
                  + value
                  + "': "
                  + redact(uri));
    };
  }

  private static Map<String, String> parameters(URI uri) {
    Map<String, String> result = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&", -1)) {
      int equals = pair.indexOf('=');
      String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), UTF_8);
      String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), UTF_8);
      if (!PARAMETERS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown Redis URI parameter '"
                + name
                + "' in "
                + redact(uri)
                + "; known: "
                + String.join(", ", PARAMETERS.stream().sorted().toList()));
      }
      result.put(name, value);
    }
    return result;
  }

  private static TrustManagerFactory trustManagers(Map<String, String> query, URI uri) {
    try {
      @Nullable KeyStore trusted = null;
      String path = query.get("truststore");
      if (path != null) {
        String password = query.getOrDefault("truststore_password", "");
        trusted = KeyStore.getInstance(Path.of(path).toFile(), password.toCharArray());
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      return trust;
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cannot read the trust store of " + redact(uri) + ": " + e.getMessage(), e);
    }
  }

  /** What went wrong, in words: authentication, TLS, or the connection's own error. */
  private static String problem(URI uri, Throwable failure) {
    Throwable root = failure;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      root = t;
      if (t instanceof RedisCommandExecutionException r) {
        String message = String.valueOf(r.getMessage());
        if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH")) {
          return "authentication failed (" + message + ")";
        }
        return "the server refused the connection (" + message + ")";
      }
      if (t instanceof SSLException || t instanceof CertificateException) {
        return "TLS handshake failed, the server's certificate is not trusted or does not match"
            + " ("
            + t.getMessage()
            + ")";
      }
    }
    String message = root.getMessage() == null ? root.toString() : root.getMessage();
    if (!isTls(uri)) {
      return message + " (if the server only speaks TLS, use rediss://)";
    }
    return message;
  }
}
