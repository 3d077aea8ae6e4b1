/**
 * What a command module builds on, here and in other artifacts: {@link
 * dev.baton.modules.spi.OwnedResources}, the table that gives each resource a command creates (a
 * timer, a connection, a transaction) a handle owned by the yielding process and releases it when
 * that process ends, and {@link dev.baton.modules.spi.Callers}, which reads that process from a
 * command's context.
 */
@NullMarked
package dev.baton.modules.spi;

import org.jspecify.annotations.NullMarked;
