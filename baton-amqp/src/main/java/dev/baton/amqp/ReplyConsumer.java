package dev.baton.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.baton.tasks.EventCode;
import dev.baton.tasks.EventLevel;
import dev.baton.tasks.spi.AttachedContexts;
import dev.baton.tasks.spi.EnvelopeCodec;
import dev.baton.tasks.spi.ReportEnvelope;
import java.io.IOException;

/**
 * Consumes a caller's reply queue into its {@link ReportLog}: each delivery is decoded, appended
 * (which hands it to the call's polls) and then acknowledged, so a report is acknowledged only once
 * the caller holds it. One that does not decode is acknowledged and dropped with an ERROR {@code
 * DECODE_FAILURE} event: it can never become a report, and consuming goes on.
 *
 * <p>The client calls it on its consumer thread, one delivery at a time per channel; acks are
 * asynchronous writes, so nothing here waits on the broker. After a connection recovery the client
 * re-registers it on the recovered channel; deliveries not acknowledged before the loss come again,
 * and the log drops them as duplicates. An acknowledgement lost with the connection is therefore
 * harmless and ignored.
 */
final class ReplyConsumer extends DefaultConsumer {
  private final String queue;
  private final ReportLog log;
  private final AttachedContexts events;
  private final Runnable cancelled;

  /**
   * @param cancelled run when the broker cancels the consumer (its queue was deleted)
   */
  ReplyConsumer(
      Channel channel, String queue, ReportLog log, AttachedContexts events, Runnable cancelled) {
    super(channel);
    this.queue = queue;
    this.log = log;
    this.events = events;
    this.cancelled = cancelled;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    ReportEnvelope report;
    try {
      report = EnvelopeCodec.decodeReport(body);
    } catch (RuntimeException e) {
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

  @Override
  public void handleCancel(String consumerTag) {
    cancelled.run();
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
