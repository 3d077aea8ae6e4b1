/**
 * The workflow command module (ids 180-189): durable processes whose yields and results are
 * journaled, replayed deterministically after a crash.
 */
module dev.baton.workflow {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.workflow;
}
