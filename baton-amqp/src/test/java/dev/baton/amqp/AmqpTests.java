package dev.baton.amqp;

import java.net.URI;

/**
 * What the RabbitMQ tests share: the server's URI ({@code BATON_AMQP_URI}, default {@code
 * amqp://guest:guest@127.0.0.1:5672/%2F}; loopback only). A server that cannot be reached fails the
 * tests (connecting throws), never skips them.
 */
final class AmqpTests {
  private AmqpTests() {}

  static URI uri() {
    String configured = System.getenv("BATON_AMQP_URI");
    URI uri =
        URI.create(
            configured == null || configured.isBlank()
                ? "amqp://guest:guest@127.0.0.1:5672/%2F"
                : configured);
    String host = uri.getHost();
    if (host == null
        || !(host.equals("127.0.0.1")
            || host.equals("localhost")
            || host.equals("[::1]")
            || host.equals("::1"))) {
      throw new IllegalStateException("the RabbitMQ tests use loopback servers only, not " + uri);
    }
    return uri;
  }
}
