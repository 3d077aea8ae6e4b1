/**
 * What a workflow journal store implements: {@link dev.baton.workflow.spi.WorkflowJournal} and the
 * records it stores. The engine ({@code dev.baton.workflow.WorkflowModule}) is its only caller.
 */
@NullMarked
package dev.baton.workflow.spi;

import org.jspecify.annotations.NullMarked;
