package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns an {@code amqp://} or {@code amqps://} URI into a {@link ConnectionFactory}, the one place
 * both {@link AmqpBroker} and {@link AmqpBackend} read their configuration from.
 *
 * <p>The URI is RabbitMQ's own ({@code amqp[s]://user:password@host:port/vhost}, the virtual host
 * {@code /} written {@code %2F}) with these query parameters:
 *
 * <ul>
 *   <li>{@code truststore}: a PKCS#12 or JKS file of the certificates to trust for {@code amqps}
 *       (default: the JDK's trusted authorities), and {@code truststore_password};
 *   <li>{@code verify_hostname}: {@code false} to skip checking the server's name against its
 *       certificate (default {@code true}; never turn it off outside a test);
 *   <li>{@code heartbeat}: the AMQP heartbeat in seconds (default 10), so a dead peer is noticed;
 *   <li>{@code connection_timeout}: milliseconds to wait for the TCP connection (default 5,000).
 * </ul>
 *
 * <p>Unlike the client's own {@code setUri}, which trusts every certificate for {@code amqps}, TLS
 * here verifies the chain and the host name. Connections recover by themselves (every second, with
 * their channels, queues, bindings and consumers), so consuming resumes after a broker restart.
 */
final class AmqpConnections {

  /** How often a lost connection is retried: 1 second, so recovery follows a restart closely. */
  static final long RECOVERY_INTERVAL_MILLIS = 1_000;

  private static final Set<String> PARAMETERS =
      Set.of(
          "truststore",
          "truststore_password",
          "verify_hostname",
          "heartbeat",
          "connection_timeout");

  private AmqpConnections() {}

  /**
   * A factory for {@code uri}.
   *
   * @throws IllegalArgumentException if the URI is not {@code amqp} or {@code amqps}, names an
   *     unknown parameter, or its trust store cannot be read; the message names the part at fault
   */
  static ConnectionFactory factory(URI uri) {
    String scheme = uri.getScheme();
    if (!"amqp".equals(scheme) && !"amqps".equals(scheme)) {
      throw new IllegalArgumentException(
          "an AMQP URI starts with amqp:// or amqps://, not " + redact(uri));
    }
    Map<String, String> query = parameters(uri);
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(withoutQuery(uri));
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use " + redact(uri) + ": " + e.getMessage(), e);
    }
    if (scheme.equals("amqps")) {
      factory.useSslProtocol(sslContext(query, uri));
      if (!"false".equals(query.get("verify_hostname"))) {
        factory.enableHostnameVerification();
      }
    } else if (query.containsKey("truststore")) {
      throw new IllegalArgumentException(
          "truststore is set but the URI is amqp://; use amqps:// for TLS: " + redact(uri));
    }
    factory.setRequestedHeartbeat(intParameter(query, "heartbeat", 10, uri));
    factory.setConnectionTimeout(intParameter(query, "connection_timeout", 5_000, uri));
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(RECOVERY_INTERVAL_MILLIS);
    // so a synchronous call (declare, get, open) waits at most 10 seconds, as the adapters say
    factory.setChannelRpcTimeout(10_000);
    return factory;
  }

  /** {@code uri} without its password, for messages and logs. */
  static String redact(URI uri) {
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null) {
      return uri.toString();
    }
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":***";
    return uri.toString().replace(userInfo + "@", user + "@");
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
            "unknown AMQP URI parameter '"
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

  private static URI withoutQuery(URI uri) throws URISyntaxException {
    String text = uri.toString();
    int question = text.indexOf('?');
    return question < 0 ? uri : new URI(text.substring(0, question));
  }

  private static int intParameter(Map<String, String> query, String name, int fallback, URI uri) {
    String value = query.get(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed < 0) {
        throw new NumberFormatException("negative");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a whole number of at least 0, got '" + value + "' in " + redact(uri), e);
    }
  }

  private static SSLContext sslContext(Map<String, String> query, URI uri) {
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
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the trust store of " + redact(uri) + ": " + e.getMessage(), e);
    }
  }
}
