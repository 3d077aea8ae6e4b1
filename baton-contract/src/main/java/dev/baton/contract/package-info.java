/**
 * The contract command module (ids 190-199): bindings of Java interfaces to implementations, local
 * or remote through the task framework, called from processes.
 */
@NullMarked
package dev.baton.contract;

import org.jspecify.annotations.NullMarked;
