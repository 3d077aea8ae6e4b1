package dev.baton.tasks.spi;

/**
 * Receives every task from one shared queue (the seed's Consumer): the app routes each to the
 * workers of its name, releasing (a bounded number of times) or dead-lettering the names it does
 * not serve.
 */
public interface TaskConsumer extends DeliverySource {

  /**
   * Starts delivering tasks of the shared queue to {@code handler}, at most {@code prefetch}
   * unsettled at a time.
   */
  Subscription subscribe(int prefetch, DeliveryHandler handler);
}
