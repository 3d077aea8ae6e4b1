package dev.baton.process;

/**
 * What one worker has done.
 *
 * @param index the worker's number, from 0
 * @param executed steps it ran
 * @param stolen of those, steps of processes another worker had queued
 */
public record WorkerStats(int index, long executed, long stolen) {}
