/**
 * Baton's standard command modules: each family a {@link dev.baton.dispatch.Dispatcher} booted as a
 * component, each command handled asynchronously and completed through its tag, each domain failure
 * a typed exception (a subclass of {@link dev.baton.modules.ModuleException}) in the completion.
 *
 * <ul>
 *   <li>{@code dev.baton.modules.process} (ids 1-9): send, spawn, terminate, cancel, monitors,
 *       links, and spawn-and-wait;
 *   <li>{@code dev.baton.modules.clock} (10-29): sleep, tickers and timers on the node's time
 *       source;
 *   <li>{@code dev.baton.modules.event} (90-99): a topic-pattern event bus whose subscriptions die
 *       with their process;
 *   <li>{@code dev.baton.modules.store} (120-129): a versioned key-value store; backends plug in
 *       through {@code dev.baton.modules.store.spi} (in-memory here, Redis in {@code baton-redis});
 *   <li>{@code dev.baton.modules.function} (140-149): tasks of the node's {@link
 *       dev.baton.tasks.TaskApp}, called from processes;
 *   <li>{@code dev.baton.modules.exec} (150-159): operating-system processes, started without a
 *       shell;
 *   <li>{@code dev.baton.modules.http} (60-61): HTTP requests, one or a concurrent batch, on {@link
 *       java.net.http.HttpClient}; a status is data, a transport failure a typed error;
 *   <li>{@code dev.baton.modules.websocket} (80-89): WebSocket client connections, their messages
 *       received on demand or relayed to a topic of the owner;
 *   <li>{@code dev.baton.modules.stream} (50-59): files and other byte streams (read, write, seek,
 *       flush, stat, close) and scanners over them; other modules register streams through its
 *       {@code StreamTable}.
 * </ul>
 *
 * <p>Resources a command creates (a timer, a subscription, an OS process, an asynchronous call)
 * belong to the process that yielded it: no other process can reach them, and they are released
 * when that process ends. {@code dev.baton.modules.spi} holds what the families share and is not
 * exported.
 */
module dev.baton.modules {
  requires transitive dev.baton.core;
  requires transitive dev.baton.tasks;
  requires transitive org.jspecify;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires java.net.http;

  exports dev.baton.modules;
  exports dev.baton.modules.process;
  exports dev.baton.modules.clock;
  exports dev.baton.modules.event;
  exports dev.baton.modules.store;
  exports dev.baton.modules.store.spi;
  exports dev.baton.modules.function;
  exports dev.baton.modules.exec;
  exports dev.baton.modules.stream;
  exports dev.baton.modules.http;
  exports dev.baton.modules.websocket;
  exports dev.baton.modules.spi;
}
