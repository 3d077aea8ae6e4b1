/**
 * The security command module (ids 130-139): signed tokens (JWT) with expiry, scopes and durable
 * revocation, on Connect2id's Nimbus JOSE+JWT.
 */
module dev.baton.security {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires com.nimbusds.jose.jwt;

  exports dev.baton.security;
}
