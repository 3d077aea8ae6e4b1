/**
 * The task layer's machinery behind the API: Jackson marshallers, type correction of arguments,
 * registration-time type checks, and reflection of registered methods and contract interfaces.
 *
 * <p>Not exported: {@link dev.baton.tasks.TaskApp} and the engine in {@code dev.baton.tasks} are
 * its only callers. Every class here is thread-safe unless its Javadoc says otherwise.
 */
@NullMarked
package dev.baton.tasks.internal;

import org.jspecify.annotations.NullMarked;
