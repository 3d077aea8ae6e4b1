/**
 * The storage backend SPI: implement {@link dev.baton.cloudstorage.spi.ObjectStorage} to plug
 * another object store into the cloudstorage module.
 */
@NullMarked
package dev.baton.cloudstorage.spi;

import org.jspecify.annotations.NullMarked;
