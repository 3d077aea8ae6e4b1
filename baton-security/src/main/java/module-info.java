/**
 * The security command module (ids 130-139): signed tokens (JWT) with expiry, scopes and durable
 * revocation.
 */
module dev.baton.security {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.security;
}
