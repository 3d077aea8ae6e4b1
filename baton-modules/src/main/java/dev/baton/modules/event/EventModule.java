package dev.baton.modules.event;

import dev.baton.boot.AppContext;
import dev.baton.dispatch.CommandContext;
import dev.baton.dispatch.CommandId;
import dev.baton.dispatch.Dispatcher;
import dev.baton.dispatch.Handler;
import dev.baton.dispatch.Registrar;
import dev.baton.dispatch.ResultReceiver;
import dev.baton.modules.spi.Callers;
import dev.baton.modules.spi.OwnedResources;
import dev.baton.process.Pid;
import dev.baton.process.Scheduler;
import java.util.List;
import java.util.Set;

/**
 * The event module: {@link Events.Subscribe}, {@link Events.Send} and {@link Events.Unsubscribe}
 * over the node's {@link EventBus}.
 *
 * <p>Boot it with {@code Dispatcher.component(new EventModule())} beside {@link
 * EventBus#component()}. Every handler completes at once, on the dispatching thread: subscribing
 * and unsubscribing copy a small array, and sending delivers to mailboxes without blocking. Each
 * subscription is owned by the process that created it (an {@link OwnedResources} table): only that
 * process can end it, and it ends when the process does. Thread-safe.
 */
public final class EventModule implements Dispatcher {
  /** The module's name in id reservations and messages. */
  public static final String MODULE = "event";

  private final OwnedResources<EventBus.Subscription> subscriptions =
      new OwnedResources<>("event subscription");

  /** Creates the module; it finds the bus in the node's services when it registers. */
  public EventModule() {}

  @Override
  public String module() {
    return MODULE;
  }

  @Override
  public Set<CommandId> commandIds() {
    return Set.of(Events.SUBSCRIBE, Events.SEND, Events.UNSUBSCRIBE);
  }

  /** The bus, and the scheduler that delivers its events. */
  @Override
  public List<String> dependsOn() {
    return List.of(EventBus.COMPONENT_NAME, Scheduler.COMPONENT_NAME);
  }

  @Override
  public void registerAll(Registrar registrar, AppContext services) {
    EventBus eventBus = services.require(EventBus.KEY);
    registrar.register(
        Events.SUBSCRIBE,
        Handler.forType(
            Events.Subscribe.class,
            (context, subscribe, tag, receiver) ->
                subscribe(eventBus, context, subscribe, tag, receiver)));
    registrar.register(
        Events.SEND,
        Handler.forType(
            Events.Send.class,
            (context, send, tag, receiver) ->
                receiver.completeYield(
                    tag,
                    eventBus.publish(
                        send.topic(),
                        send.payload(),
                        context.caller() instanceof Pid pid ? pid : null),
                    null)));
    registrar.register(
        Events.UNSUBSCRIBE,
        Handler.forType(
            Events.Unsubscribe.class,
            (context, unsubscribe, tag, receiver) -> {
              Callers.pidOf(context, "event.Unsubscribe");
              subscriptions.remove(context, unsubscribe.id().value()).cancel();
              receiver.completeYield(tag, true, null);
            }));
  }

  /** Ends every process's subscriptions (the node is stopping). */
  @Override
  public void stop() {
    for (EventBus.Subscription subscription : subscriptions.clear()) {
      subscription.cancel();
    }
  }

  /** The number of live subscriptions made through this module, for tests and stats. */
  public int subscriptionCount() {
    return subscriptions.size();
  }

  private void subscribe(
      EventBus eventBus,
      CommandContext context,
      Events.Subscribe subscribe,
      long tag,
      ResultReceiver receiver) {
    Pid pid = Callers.pidOf(context, "event.Subscribe");
    // Throws ProcessNotFoundException if the process has already ended.
    EventBus.Subscription subscription =
        eventBus.subscribe(subscribe.pattern(), pid, subscribe.deliveryTopic());
    // If the process is already gone, add cancels the subscription before it returns.
    long handle = subscriptions.add(context, subscription, EventBus.Subscription::cancel);
    receiver.completeYield(tag, new Events.SubscriptionId(handle), null);
  }
}
