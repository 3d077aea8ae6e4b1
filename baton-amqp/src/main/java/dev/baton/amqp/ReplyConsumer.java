package dev.baton.amqp;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.TaskKey;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import java.io.IOException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Consumes a caller's reply queue into its {@link ReportLog}: each delivery is decoded, appended
 * (which hands it to the call's polls) and then acknowledged, so a report is acknowledged only once
 * the caller holds it.
 *
 * <p>Reports are decoded without a payload limit: the broker's maximum message size bounds the
 * body, and the engine decodes what a poll hands it against the application's own limit, failing
 * the call clearly. A body whose call key can be read but which does not decode here (a newer
 * format version, say) is appended raw under that key, so the engine's decode failure ends the call
 * instead of leaving it waiting; one without a readable key is acknowledged and dropped with an
 * ERROR {@code DECODE_FAILURE} event. Either way consuming goes on.
 *
 * <p>The client calls it on its consumer thread, one delivery at a time per channel; acks are
 * asynchronous writes, so nothing here waits on the broker. Nothing thrown escapes {@link
 * #handleDelivery}: the client's exception handler would close the channel, and reports would stop.
 * After a connection recovery the client re-registers it on the recovered channel; deliveries not
 * acknowledged before the loss come again, and the log drops them as duplicates. An acknowledgement
 * lost with the connection is therefore harmless and ignored.
 */
final class ReplyConsumer extends DefaultConsumer {
  private final String queue;
  private final ReportLog log;
  private final AttachedContexts events;
  private final Consumer<String> cancelled;

  /**
   * @param cancelled run with the consumer tag when the broker cancels the consumer (its queue was
   *     deleted)
   */
  ReplyConsumer(
      Channel channel,
      String queue,
      ReportLog log,
      AttachedContexts events,
      Consumer<String> cancelled) {
    super(channel);
    this.queue = queue;
    this.log = log;
    this.events = events;
    this.cancelled = cancelled;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    try {
      receive(envelope, body);
    } catch (Throwable e) { // an Error too: escaping, it would close the channel for good
      boolean again = !envelope.isRedeliver();
      events.emit(
          EventLevel.ERROR,
          EventCode.REPORT_FAILURE,
          "a delivery of "
              + body.length
              + " bytes on reply queue '"
              + queue
              + "' could not be handled ("
              + e
              + "); "
              + (again ? "it is requeued once" : "it was requeued before and is dropped"),
          null,
          e);
      try {
        getChannel().basicReject(envelope.getDeliveryTag(), again);
      } catch (IOException | AlreadyClosedException _) {
        // the connection dropped: the delivery comes again after recovery
      }
    }
  }

  private void receive(Envelope envelope, byte[] body) {
    ReportEnvelope report;
    try {
      report = EnvelopeCodec.decodeReport(body, Integer.MAX_VALUE);
    } catch (RuntimeException e) {
      TaskKey key = peekKey(body);
      if (key != null) {
        events.emit(
            EventLevel.ERROR,
            EventCode.DECODE_FAILURE,
            "a report of "
                + key
                + " ("
                + body.length
                + " bytes) on reply queue '"
                + queue
                + "' does not decode ("
                + e.getMessage()
                + "); it is handed to the call's polls as it is, whose decode fails the call",
            key,
            e);
        log.appendUndecodable(key, body);
        ack(envelope);
        return;
      }
      events.emit(
          EventLevel.ERROR,
          EventCode.DECODE_FAILURE,
          "a message of "
              + body.length
              + " bytes on reply queue '"
              + queue
              + "' is not a report and was dropped: "
              + e.getMessage(),
          null,
          e);
      ack(envelope);
      return;
    }
    log.append(report, body);
    ack(envelope);
  }

  /**
   * The call key of a report envelope whose rest may not decode: magic {@code BR}, a version byte,
   * then the task name and id as length-prefixed (unsigned varint) UTF-8; {@code null} if those do
   * not read.
   */
  static @Nullable TaskKey peekKey(byte[] body) {
    if (body.length < 3 || body[0] != 'B' || body[1] != 'R') {
      return null;
    }
    int[] position = {3};
    String name = string(body, position);
    String id = name == null ? null : string(body, position);
    if (name == null || id == null) {
      return null;
    }
    try {
      return new TaskKey(name, id);
    } catch (IllegalArgumentException _) {
      return null;
    }
  }

  private static @Nullable String string(byte[] body, int[] position) {
    long length = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 28 || position[0] >= body.length) {
        return null;
      }
      int b = body[position[0]++] & 0xFF;
      length |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if (length > body.length - position[0]) {
      return null;
    }
    String value = new String(body, position[0], (int) length, UTF_8);
    position[0] += (int) length;
    return value;
  }

  @Override
  public void handleCancel(String consumerTag) {
    cancelled.accept(consumerTag);
  }

  private void ack(Envelope envelope) {
    try {
      getChannel().basicAck(envelope.getDeliveryTag(), false);
    } catch (IOException | AlreadyClosedException e) {
      // the connection dropped: the delivery comes again after recovery and is dropped as a
      // duplicate (or, if undecodable, dropped again)
    }
  }
}
