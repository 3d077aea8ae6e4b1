/**
 * The cloudstorage command module (ids 160-169): object storage on the S3 API, with a
 * local-filesystem backend as the embedded default.
 */
module dev.baton.cloudstorage {
  requires transitive dev.baton.modules;
  requires static com.google.errorprone.annotations;
  requires org.slf4j;

  exports dev.baton.cloudstorage;
}
