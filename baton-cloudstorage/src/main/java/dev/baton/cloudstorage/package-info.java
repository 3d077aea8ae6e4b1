/**
 * The cloudstorage command module (ids 160-169): object storage on the S3 API, with a
 * local-filesystem backend as the embedded default.
 */
@NullMarked
package dev.baton.cloudstorage;

import org.jspecify.annotations.NullMarked;
