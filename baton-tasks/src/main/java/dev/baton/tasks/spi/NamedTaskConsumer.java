package dev.baton.tasks.spi;

/**
 * Receives tasks from one queue per task name or routed queue (the seed's NamedConsumer), the
 * default layout: a worker receives only the names it serves.
 */
public interface NamedTaskConsumer extends DeliverySource {

  /**
   * Starts delivering tasks of {@code queue} to {@code handler}, at most {@code prefetch} unsettled
   * at a time. Several subscriptions to one queue share its tasks; each task goes to one of them.
   */
  Subscription subscribe(String queue, int prefetch, DeliveryHandler handler);
}
