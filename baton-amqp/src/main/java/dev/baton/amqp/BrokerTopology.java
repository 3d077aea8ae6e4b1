package dev.baton.amqp;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.impl.recovery.RecordedBinding;
import com.rabbitmq.client.impl.recovery.RecordedConsumer;
import com.rabbitmq.client.impl.recovery.RecordedExchange;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of everything {@link AmqpBroker} keeps on the server under one prefix, and the
 * declaration of the fixed part: the delay cascade, the dead-letter exchange and queue.
 *
 * <h2>The delay cascade</h2>
 *
 * <p>A delay of {@code d} milliseconds ({@code 0 < d < 2^32}) is written as its 32 binary digits,
 * most significant first, as the words of a topic routing key ({@code "0.0.….1.0.1"}). Level {@code
 * L} (0-31) has a topic exchange and a queue, both {@code <prefix>.delay.<L>}; the queue holds
 * messages for {@code 2^L} ms ({@code x-message-ttl}) and then dead-letters them, routing key
 * unchanged, to exchange {@code L-1} (level 0 to the deliver exchange). Exchange {@code L} looks at
 * digit {@code L} (word {@code 31-L}): a 1 routes to queue {@code L}, a 0 straight on to exchange
 * {@code L-1}. A delayed task is published to the exchange of its highest 1 digit, so it waits
 * exactly the sum of its digits' powers of two, in at most 32 hops. Every message in one level's
 * queue has the same TTL, so they expire in arrival order at the head (RabbitMQ expires only from
 * the head) and none waits behind a longer one.
 *
 * <p>The deliver exchange ({@code <prefix>.delay.deliver}) is a headers exchange; each task queue
 * is bound to it with {@code {x-match: all, baton-queue: <queue>}}, so queue names need no escaping
 * for topic patterns. The header is not called {@code x-baton-queue}: a headers exchange skips
 * binding arguments whose names start with {@code x-} when it matches ({@code
 * rabbit_exchange_type_headers}), so such a binding would match every task. The deliver exchange's
 * alternate exchange is the dead-letter exchange: a delayed task whose queue is gone becomes a dead
 * letter instead of vanishing.
 *
 * <p>The level queues are quorum queues with {@code x-dead-letter-strategy: at-least-once} (and the
 * {@code reject-publish} overflow it requires): a quorum queue keeps a message until the target of
 * its dead-lettering has confirmed it, so a crash of the broker mid-hop repeats the hop instead of
 * losing the task (classic queues dead-letter at most once).
 */
final class BrokerTopology {
  static final int LEVELS = 32;
  static final long MAX_DELAY_MILLIS = (1L << LEVELS) - 1;
  static final String QUEUE_HEADER = "baton-queue";

  private final String prefix;
  private final boolean priorityQueues;

  BrokerTopology(String prefix, boolean priorityQueues) {
    this.prefix = prefix;
    this.priorityQueues = priorityQueues;
  }

  boolean priorityQueues() {
    return priorityQueues;
  }

  String prefix() {
    return prefix;
  }

  /** The AMQP queue of the task queue {@code queue}. */
  String taskQueue(String queue) {
    return prefix + ".q." + queue;
  }

  String delayLevel(int level) {
    return prefix + ".delay." + level;
  }

  String deliverExchange() {
    return prefix + ".delay.deliver";
  }

  String deadExchange() {
    return prefix + ".dead";
  }

  String deadQueue() {
    return prefix + ".dead-letters";
  }

  String revocations() {
    return prefix + ".revocations";
  }

  String heartbeats() {
    return prefix + ".heartbeats";
  }

  /** Every fixed queue (the task queues are not among them). */
  List<String> fixedQueues() {
    List<String> queues = new ArrayList<>();
    for (int level = 0; level < LEVELS; level++) {
      queues.add(delayLevel(level));
    }
    queues.add(deadQueue());
    queues.add(revocations());
    queues.add(heartbeats());
    return queues;
  }

  /** Every exchange. */
  List<String> exchanges() {
    List<String> exchanges = new ArrayList<>();
    for (int level = 0; level < LEVELS; level++) {
      exchanges.add(delayLevel(level));
    }
    exchanges.add(deliverExchange());
    exchanges.add(deadExchange());
    return exchanges;
  }

  /** The routing key of a delay: its 32 binary digits, most significant first. */
  static String routingKey(long delayMillis) {
    StringBuilder key = new StringBuilder(2 * LEVELS);
    for (int bit = LEVELS - 1; bit >= 0; bit--) {
      key.append((delayMillis >>> bit & 1) == 1 ? '1' : '0');
      if (bit > 0) {
        key.append('.');
      }
    }
    return key.toString();
  }

  /** The level a delay enters the cascade at: its highest 1 digit. */
  static int entryLevel(long delayMillis) {
    if (delayMillis <= 0 || delayMillis > MAX_DELAY_MILLIS) {
      throw new IllegalArgumentException("a delay is 1 to 2^32-1 ms, not " + delayMillis);
    }
    return 63 - Long.numberOfLeadingZeros(delayMillis);
  }

  /**
   * Leaves this prefix's queues, exchanges and bindings out of the client's topology recovery
   * (consumers stay in). The client recovers a declaration on the channel that made it, and most of
   * these were made on short-lived channels, long closed: each would fail at every reconnect, and a
   * node that lost its definitions would not get them back. {@link AmqpBroker} declares them again
   * itself once the connection is back.
   */
  TopologyRecoveryFilter recoveryFilter() {
    String ours = prefix + ".";
    return new TopologyRecoveryFilter() {
      @Override
      public boolean filterExchange(RecordedExchange exchange) {
        return !exchange.getName().startsWith(ours);
      }

      @Override
      public boolean filterQueue(RecordedQueue queue) {
        return !queue.getName().startsWith(ours);
      }

      @Override
      public boolean filterBinding(RecordedBinding binding) {
        return !binding.getSource().startsWith(ours) && !binding.getDestination().startsWith(ours);
      }

      @Override
      public boolean filterConsumer(RecordedConsumer consumer) {
        return true;
      }
    };
  }

  /** Declares the exchanges, queues and bindings that do not depend on task queues. Idempotent. */
  void declareFixed(Channel channel) throws IOException {
    // a delayed task whose queue does not exist (any more) becomes a dead letter, not nothing
    channel.exchangeDeclare(
        deliverExchange(),
        BuiltinExchangeType.HEADERS,
        true,
        false,
        Map.of("alternate-exchange", deadExchange()));
    for (int level = 0; level < LEVELS; level++) {
      channel.exchangeDeclare(delayLevel(level), BuiltinExchangeType.TOPIC, true, false, null);
    }
    for (int level = 0; level < LEVELS; level++) {
      String next = level == 0 ? deliverExchange() : delayLevel(level - 1);
      Map<String, Object> args = new HashMap<>();
      args.put("x-queue-type", "quorum");
      args.put("x-message-ttl", 1L << level);
      args.put("x-dead-letter-exchange", next);
      args.put("x-dead-letter-strategy", "at-least-once");
      args.put("x-overflow", "reject-publish");
      channel.queueDeclare(delayLevel(level), true, false, false, args);
      String skip = "*.".repeat(LEVELS - 1 - level);
      channel.queueBind(delayLevel(level), delayLevel(level), skip + "1.#");
      channel.exchangeBind(next, delayLevel(level), skip + "0.#");
    }
    channel.exchangeDeclare(deadExchange(), BuiltinExchangeType.FANOUT, true, false, null);
    channel.queueDeclare(deadQueue(), true, false, false, null);
    channel.queueBind(deadQueue(), deadExchange(), "");
  }

  /** Declares the task queue {@code queue} and binds it to the deliver exchange. Idempotent. */
  void declareTaskQueue(Channel channel, String queue) throws IOException {
    try {
      channel.queueDeclare(
          taskQueue(queue),
          true,
          false,
          false,
          priorityQueues ? Map.of("x-max-priority", 9) : Map.of());
    } catch (IOException e) {
      if (String.valueOf(e.getCause()).contains("x-max-priority")) {
        throw new IOException(
            "queue "
                + taskQueue(queue)
                + " exists "
                + (priorityQueues ? "without" : "with")
                + " priorities: every broker of prefix '"
                + prefix
                + "' must use the same priorityQueues option (or delete the queue to change it)",
            e);
      }
      throw e;
    }
    channel.queueBind(
        taskQueue(queue), deliverExchange(), "", Map.of("x-match", "all", QUEUE_HEADER, queue));
  }

  /** Declares the revocation stream. Idempotent. */
  void declareRevocations(Channel channel) throws IOException {
    channel.queueDeclare(
        revocations(),
        true,
        false,
        false,
        Map.of(
            "x-queue-type",
            "stream",
            "x-max-age",
            "7D",
            "x-stream-max-segment-size-bytes",
            1 << 20));
  }

  /** Declares the heartbeat stream. Idempotent. */
  void declareHeartbeats(Channel channel) throws IOException {
    channel.queueDeclare(
        heartbeats(),
        true,
        false,
        false,
        Map.of(
            "x-queue-type",
            "stream",
            "x-max-age",
            "1h",
            "x-stream-max-segment-size-bytes",
            1 << 20));
  }
}
