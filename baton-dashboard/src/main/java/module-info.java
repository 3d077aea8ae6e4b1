/**
 * The web dashboard a node serves: a page with an overview (throughput chart, processes by state,
 * workers, queue depths), the processes (terminate) and the tasks (recent, dead letters, retry),
 * live over server-sent events; the JSON API behind the page and {@code baton inspect}; and the
 * Prometheus endpoint.
 *
 * <ul>
 *   <li>API — {@code dev.baton.dashboard}: {@link dev.baton.dashboard.Dashboard}, its {@link
 *       dev.baton.dashboard.DashboardSettings}, and {@link dev.baton.dashboard.NodeView}, the one
 *       way it reads and acts on a node, with the values it returns ({@link
 *       dev.baton.dashboard.NodeSnapshot}, {@link dev.baton.dashboard.TaskRow}).
 *   <li>Internal (package-private in the same package): the request router and checks, the live
 *       feed, the JSON rows. The page's files are resources under {@code dev/baton/dashboard/web}.
 * </ul>
 *
 * <p>The package is opened to Jackson, which writes the records as JSON.
 */
module dev.baton.dashboard {
  requires transitive dev.baton.tasks;
  requires transitive dev.baton.core;
  requires static com.google.errorprone.annotations;
  requires jdk.httpserver;
  requires org.slf4j;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;

  exports dev.baton.dashboard;

  opens dev.baton.dashboard to
      com.fasterxml.jackson.databind;
}
