/**
 * The web dashboard a node serves (skeleton; the dashboard change of issue 8 fills it in).
 *
 * <ul>
 *   <li>API — {@code dev.baton.dashboard}: {@link dev.baton.dashboard.Dashboard}, its settings, and
 *       {@link dev.baton.dashboard.NodeView}, the one way it reads and acts on a node.
 * </ul>
 */
module dev.baton.dashboard {
  requires transitive dev.baton.tasks;
  requires static com.google.errorprone.annotations;
  requires jdk.httpserver;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;

  exports dev.baton.dashboard;
}
