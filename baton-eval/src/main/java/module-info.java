/**
 * The eval command module (ids 170-179): user scripts compiled and run in a sandbox, as calls or as
 * processes that yield whitelisted commands.
 */
module dev.baton.eval {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires org.graalvm.polyglot;
  requires jdk.management;

  exports dev.baton.eval;
}
