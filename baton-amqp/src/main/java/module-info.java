/**
 * Baton's RabbitMQ adapter: {@link dev.baton.amqp.AmqpBroker} (a durable queue per task name or
 * routed queue, publisher confirms, manual acknowledgement after the final report, delays through
 * per-level TTL queues that dead-letter back, a dead-letter exchange) and {@link
 * dev.baton.amqp.AmqpBackend} (reports on one durable reply queue per caller), on RabbitMQ's Java
 * client. Both connect by an {@code amqp://} or {@code amqps://} URI (TLS options as query
 * parameters) and recover their connections by themselves after a broker restart.
 */
// The RabbitMQ client ships as an automatic module (Automatic-Module-Name com.rabbitmq.client).
@SuppressWarnings("requires-automatic")
module dev.baton.amqp {
  requires transitive dev.baton.tasks;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires com.rabbitmq.client;

  exports dev.baton.amqp;
}
