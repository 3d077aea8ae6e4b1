package dev.baton.process;

/**
 * The payload of an {@link Message#EXIT_TOPIC} message (a monitored process ended) and of a {@link
 * Message#LINK_DOWN_TOPIC} message (a linked process failed, delivered to a process that traps
 * links).
 *
 * @param pid the process that ended
 * @param result how it ended
 */
public record ExitSignal(Pid pid, ProcessResult result) {}
