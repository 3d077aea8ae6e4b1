package dev.baton.dashboard;

import dev.baton.process.ProcessInfo;

/**
 * One process as {@code GET /api/processes} lists it.
 *
 * @param pid the pid as printed ({@code <12>})
 * @param id the pid's number, the one {@code POST /api/processes/{id}/terminate} takes
 * @param type the process's class
 * @param state its {@link dev.baton.process.ProcessState} name
 * @param steps steps it has run
 */
record ProcessRow(String pid, long id, String type, String state, long steps) {

  static ProcessRow of(ProcessInfo info) {
    return new ProcessRow(
        info.pid().toString(), info.pid().id(), info.type(), info.state().name(), info.steps());
  }
}
