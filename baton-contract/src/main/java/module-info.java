/**
 * The contract command module (ids 190-199): bindings of Java interfaces to implementations, local
 * or remote through the task framework, called from processes.
 */
module dev.baton.contract {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.contract;
}
