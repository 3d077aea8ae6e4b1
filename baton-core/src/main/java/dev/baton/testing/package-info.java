/**
 * Support for tests of code that runs on Baton: {@link dev.baton.testing.TestNode} boots a small
 * node (registry, scheduler, a real or manual time source, and the dispatchers and components under
 * test) and runs commands through step processes and coroutines with bounded waits. It depends on
 * no test framework, so module authors use it from JUnit or anything else.
 */
@NullMarked
package dev.baton.testing;

import org.jspecify.annotations.NullMarked;
