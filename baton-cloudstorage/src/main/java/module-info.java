/**
 * The cloudstorage command module (ids 160-169): object storage on the S3 API (AWS SDK for Java
 * v2), with a local-filesystem backend as the embedded default.
 */
// The AWS SDK ships as automatic modules (Automatic-Module-Name software.amazon.awssdk.*).
@SuppressWarnings("requires-automatic")
module dev.baton.cloudstorage {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.identity.spi;
  requires software.amazon.awssdk.utils;

  exports dev.baton.cloudstorage;
  exports dev.baton.cloudstorage.spi;
}
