package dev.baton.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.time.SystemTimeSource;
import io.lettuce.core.RedisConnectionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authentication and TLS chosen by the URI, against a private {@code redis-server} of the test's
 * own that speaks TLS only (no plain port) and requires a password. The test makes its certificates
 * with {@code openssl} (P-256 keys): a CA, a server certificate it signs for {@code 127.0.0.1} and
 * {@code localhost}, and an unrelated second CA; the trust stores are PKCS#12 files written by the
 * JDK. The server listens on 127.0.0.1 and 127.0.0.2, so a name its certificate does not carry
 * reaches it too. It is started once for the class and stopped by its pid after all tests, whatever
 * their outcome.
 */
class RedisTlsTest {

  private static final String PASSWORD = "tls-" + UUID.randomUUID();
  private static final String STORE_PASSWORD = "changeit";
  private static final Duration BOUND = Duration.ofSeconds(30);

  private static @TempDir Path dir;
  private static @Nullable PrivateRedis server;
  private static int port;
  private static Path trusted;
  private static Path untrusted;

  private final SystemTimeSource time = new SystemTimeSource();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr");
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.crt");
    trusted = trustStore("ca.crt", "trusted.p12");
    untrusted = trustStore("other.crt", "untrusted.p12");

    port = PrivateRedis.freePort();
    PrivateRedis redis =
        new PrivateRedis(
            dir,
            List.of(
                "--bind",
                "127.0.0.1 127.0.0.2",
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--tls-cert-file",
                dir.resolve("server.crt").toString(),
                "--tls-key-file",
                dir.resolve("server.key").toString(),
                "--tls-ca-cert-file",
                dir.resolve("ca.crt").toString(),
                "--tls-auth-clients",
                "no",
                "--requirepass",
                PASSWORD,
                "--save",
                "",
                "--appendonly",
                "no"));
    server = redis;
    redis.start(() -> PrivateRedis.accepts(port));
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    PrivateRedis redis = server;
    if (redis != null) {
      server = null;
      redis.stop();
    }
  }

  @AfterEach
  void closeAdapters() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    time.close();
  }

  @Test
  void remoteCallOverTlsWithThePasswordReturnsItsValue() throws Exception {
    URI uri = tlsUri("127.0.0.1", PASSWORD, trusted, "");
    TaskApp worker = app(uri, Role.NAMED_CONSUMER, Role.REPORTER);
    worker.register("tls.double", int.class, int.class, n -> n * 2);
    worker.allocate("tls.double", 1, 0);
    TaskApp caller = app(uri, Role.PRODUCER, Role.STORE);

    Object value = caller.call("tls.double", 21).await(BOUND);

    assertThat(value).isEqualTo(42);
  }

  @Test
  void aUserNamedInTheUriAuthenticatesAsThatUser() {
    URI uri = tlsUri("127.0.0.1", "default:" + PASSWORD, trusted, "");

    closeables.add(RedisBroker.connect(uri, time));
    closeables.add(RedisBackend.connect(uri, time));
  }

  @Test
  void wrongPasswordFailsToConnectNamingAuthenticationAndHidingThePassword() {
    String wrong = "wrong-" + UUID.randomUUID();
    URI uri = tlsUri("127.0.0.1", wrong, trusted, "");

    assertThatThrownBy(() -> closeables.add(RedisBroker.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("authentication failed")
        .hasMessageContaining("rediss://:***@127.0.0.1:" + port)
        .hasMessageContaining("truststore_password=***")
        .hasMessageNotContaining(wrong)
        .hasMessageNotContaining(STORE_PASSWORD);
    assertThatThrownBy(() -> closeables.add(RedisBackend.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("authentication failed")
        .hasMessageNotContaining(wrong);
  }

  @Test
  void trustStoreWithoutTheServersCaFailsToConnectNamingTls() {
    URI uri = tlsUri("127.0.0.1", PASSWORD, untrusted, "");

    assertThatThrownBy(() -> closeables.add(RedisBroker.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("TLS handshake failed")
        .hasMessageContaining("certificate")
        .hasMessageNotContaining(PASSWORD);
    assertThatThrownBy(() -> closeables.add(RedisBackend.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("TLS handshake failed");
  }

  @Test
  void theJdksOwnAuthoritiesDoNotTrustAPrivateCa() {
    URI uri = URI.create("rediss://:" + PASSWORD + "@127.0.0.1:" + port);

    assertThatThrownBy(() -> closeables.add(RedisBroker.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("TLS handshake failed");
  }

  @Test
  void aHostNameTheCertificateDoesNotCarryFailsUnlessOnlyTheChainIsVerified() {
    URI full = tlsUri("127.0.0.2", PASSWORD, trusted, "");
    URI chainOnly = tlsUri("127.0.0.2", PASSWORD, trusted, "&verify_peer=ca");

    assertThatThrownBy(() -> closeables.add(RedisBroker.connect(full, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("TLS handshake failed");
    closeables.add(RedisBroker.connect(chainOnly, time));
  }

  @Test
  void plainRedisToTheTlsPortFailsClearlyWithinTheTimeout() {
    URI uri = URI.create("redis://:" + PASSWORD + "@127.0.0.1:" + port);
    long start = System.nanoTime();

    assertThatThrownBy(() -> closeables.add(RedisBroker.connect(uri, time)))
        .isInstanceOf(RedisConnectionException.class)
        .hasMessageContaining("redis://:***@127.0.0.1:" + port)
        .hasMessageContaining("use rediss://");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .as("time to fail")
        .isLessThan(RedisConnections.TIMEOUT.plusSeconds(5));
  }

  @Test
  void unknownOrMalformedParameterOrUnreadableTrustStoreIsRefusedBeforeConnecting() {
    URI misspelt =
        URI.create("rediss://127.0.0.1:" + port + "?trust_store=" + trusted.toUri().getPath());
    URI badPassword =
        URI.create(
            "rediss://127.0.0.1:" + port + "?truststore=" + trusted + "&truststore_password=nope");
    URI tlsParameterOnPlain = URI.create("redis://127.0.0.1:" + port + "?truststore=" + trusted);
    URI badTimeout = URI.create("redis://127.0.0.1:" + port + "?timeout=soon");

    assertThatThrownBy(() -> RedisBroker.connect(misspelt, time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown Redis URI parameter 'trust_store'");
    assertThatThrownBy(() -> RedisBackend.connect(badPassword, time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the trust store");
    assertThatThrownBy(() -> RedisBroker.connect(tlsParameterOnPlain, time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use rediss://");
    assertThatThrownBy(() -> RedisBackend.connect(badTimeout, time))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout is a positive whole number");
  }

  // ---- wiring ----

  private static URI tlsUri(String host, String userInfo, Path trustStore, String more) {
    return URI.create(
        "rediss://"
            + (userInfo.contains(":") ? userInfo : ":" + userInfo)
            + "@"
            + host
            + ":"
            + port
            + "?truststore="
            + trustStore
            + "&truststore_password="
            + STORE_PASSWORD
            + more);
  }

  /** An app with its own broker and backend on {@code uri}, in the given roles. */
  private TaskApp app(URI uri, Role brokerRole, Role backendRole) {
    RedisBroker broker = RedisBroker.connect(uri, time);
    closeables.add(broker);
    RedisBackend backend = RedisBackend.connect(uri, time);
    closeables.add(backend);
    TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).timeSource(time).build();
    closeables.add(app);
    app.use(broker, brokerRole);
    app.use(backend, backendRole);
    return app;
  }

  // ---- certificates ----

  /** Runs {@code openssl} in the test directory (subject and validity added to {@code req}). */
  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    if (args[0].equals("req")) {
      command.addAll(List.of("-subj", "/CN=baton-test-" + args[args.length - 1]));
    }
    if (List.of(args).contains("-x509")) {
      command.addAll(List.of("-days", "2"));
    }
    Path log = dir.resolve("openssl.log");
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)) {
      var _ = p.destroyForcibly();
      throw new AssertionError("openssl did not finish within " + BOUND + ": " + command);
    }
    if (p.exitValue() != 0) {
      throw new AssertionError(
          "openssl failed (" + p.exitValue() + "): " + command + "\n" + Files.readString(log));
    }
  }

  /** A PKCS#12 trust store holding the certificate in {@code certificate}. */
  private static Path trustStore(String certificate, String name)
      throws IOException, GeneralSecurityException {
    Certificate cert;
    try (InputStream in = Files.newInputStream(dir.resolve(certificate))) {
      cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("ca", cert);
    Path path = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(path)) {
      store.store(out, STORE_PASSWORD.toCharArray());
    }
    return path;
  }
}
