package dev.baton.process;

/**
 * One live process as inspection sees it.
 *
 * @param pid its pid
 * @param type the class of its {@link StepProcess}
 * @param state where it is in its life
 * @param steps how many steps it has run
 */
public record ProcessInfo(Pid pid, String type, ProcessState state, long steps) {}
