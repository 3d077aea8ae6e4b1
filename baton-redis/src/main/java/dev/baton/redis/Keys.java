package dev.baton.redis;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.baton.tasks.TaskKey;

/**
 * Names of the keys and channels Baton uses in Redis, all under {@code baton:}. A (name, id) pair
 * is written as {@code <length of name>:<name>:<id>} so that no name or id can forge another pair.
 *
 * <ul>
 *   <li>{@code baton:queues}: set of every queue declared, sent to or dead-lettered in;
 *   <li>{@code baton:q:<queue>:<p>}: stream of the ready tasks of priority {@code p} (0-9),
 *       consumer group {@code baton}; entry fields {@code b} (the encoded envelope), {@code k} (the
 *       task's revocation key, below; absent from entries of delayed or retried dead letters) and,
 *       for a released task, {@code d} (deliveries before this entry);
 *   <li>{@code baton:q:<queue>:ext}: hash of lease extensions beyond the broker's lease, {@code
 *       <p>:<entry id>} to extra milliseconds;
 *   <li>{@code baton:q:<queue>:delayed}: sorted set of delayed tasks, member {@code <p>:<uuid>},
 *       score the eta in epoch milliseconds; their bodies in the hash {@code
 *       baton:q:<queue>:delayed:b};
 *   <li>{@code baton:due}: sorted set of queues with delayed tasks, scored by their earliest eta;
 *   <li>{@code baton:q:<queue>:dead}: stream of dead letters (fields {@code b}, {@code p}, {@code
 *       code}, {@code msg}, {@code at}, and {@code n}, {@code i} when the key is known);
 *   <li>channel {@code baton:n:<queue>}: published after tasks become ready in the queue;
 *   <li>{@code baton:rv:<key>}: a revocation, expiring at its end; channel {@code baton:rvn}:
 *       {@code <millis to live>:baton:rv:<key>} published with each revocation;
 *   <li>{@code baton:hb:<worker>}: a worker's latest heartbeat, expiring after the liveness window;
 *       {@code baton:workers}: set of worker ids seen;
 *   <li>{@code baton:r:<key>}: list of a call's encoded reports, expiring with them; channel of the
 *       same name: published after each report;
 *   <li>channel {@code baton:reply:<uuid>}: a result backend's reply channel, on which workers push
 *       the reports of the tasks sent with it as their {@code replyTo};
 *   <li>{@code baton:idem:<name>:<idempotency key>}: the id of the call holding an idempotency key.
 * </ul>
 */
final class Keys {
  static final String PREFIX = "baton:";
  static final int PRIORITIES = 10;
  static final byte[] QUEUES = bytes(PREFIX + "queues");
  static final byte[] DUE = bytes(PREFIX + "due");
  static final byte[] WORKERS = bytes(PREFIX + "workers");
  static final byte[] GROUP = bytes("baton");
  static final byte[] REVOCATIONS = bytes(PREFIX + "rvn");
  static final String REPLY_PREFIX = PREFIX + "reply:";

  private Keys() {}

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  static String queueBase(String queue) {
    return PREFIX + "q:" + queue + ":";
  }

  static byte[] stream(String queue, int priority) {
    return bytes(queueBase(queue) + priority);
  }

  /** The ten priority streams, highest priority first. */
  static byte[][] streamsHighFirst(String queue) {
    byte[][] keys = new byte[PRIORITIES][];
    for (int p = 0; p < PRIORITIES; p++) {
      keys[p] = stream(queue, PRIORITIES - 1 - p);
    }
    return keys;
  }

  static byte[] ext(String queue) {
    return bytes(queueBase(queue) + "ext");
  }

  static byte[] delayed(String queue) {
    return bytes(queueBase(queue) + "delayed");
  }

  static byte[] delayedBodies(String queue) {
    return bytes(queueBase(queue) + "delayed:b");
  }

  static byte[] dead(String queue) {
    return bytes(queueBase(queue) + "dead");
  }

  static byte[] notifyChannel(String queue) {
    return bytes(PREFIX + "n:" + queue);
  }

  static String pair(TaskKey key) {
    return key.name().length() + ":" + key.name() + ":" + key.id();
  }

  static byte[] revoked(TaskKey key) {
    return bytes(revokedName(key));
  }

  static String revokedName(TaskKey key) {
    return PREFIX + "rv:" + pair(key);
  }

  static byte[] heartbeat(String workerId) {
    return bytes(PREFIX + "hb:" + workerId);
  }

  static byte[] reports(TaskKey key) {
    return bytes(PREFIX + "r:" + pair(key));
  }

  static byte[] idempotency(String taskName, String idempotencyKey) {
    return bytes(PREFIX + "idem:" + taskName.length() + ":" + taskName + ":" + idempotencyKey);
  }
}
