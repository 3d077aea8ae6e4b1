package dev.baton.dispatch;

/**
 * Behaviour around every dispatch (metrics, tracing, logging): the one extension point of the
 * dispatch path.
 *
 * <p>An interceptor receives the dispatch and the {@code next} handler, and calls {@code next} to
 * carry on, possibly wrapping the receiver to observe the completion. Interceptors are added to the
 * {@link Registry} before it freezes; the freeze composes them around each handler once, so an
 * interceptor costs nothing per dispatch beyond its own work. The first interceptor added is the
 * outermost.
 */
@FunctionalInterface
public interface DispatchInterceptor {

  /**
   * Intercepts one dispatch. Same contract as {@link Handler#handle}: return quickly, and either
   * call {@code next} (which then owns the tag) or complete the tag yourself.
   */
  void dispatch(
      CommandContext context, Command<?> command, long tag, ResultReceiver receiver, Handler next)
      throws Exception;
}
