package dev.baton.tasks.spi;

/** Receives deliveries from a consumer subscription. */
@FunctionalInterface
public interface DeliveryHandler {

  /**
   * Takes one delivery. Called on the adapter's thread, one delivery at a time per subscription, so
   * it must hand the work off and return; it never throws (the app turns every failure into a
   * settlement of the delivery and an event).
   */
  void onDelivery(Delivery delivery);
}
