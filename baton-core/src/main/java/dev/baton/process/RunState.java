package dev.baton.process;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The scheduling state of one step process, and the only place it changes.
 *
 * <p><b>Design.</b> One int, changed only by CAS: a {@link ProcessState} in the low bits, plus a
 * {@link #WAKE} bit that records an event arriving while the process is {@code RUNNING}. Whoever
 * moves the state to {@code READY} queues the process (the methods below return {@code true} to say
 * so); the worker whose {@link #start()} moves it from {@code READY} to {@code RUNNING} owns it
 * until it moves it on. When the step ends the worker {@linkplain #park parks} the process with a
 * CAS from the exact value it read, so an event that set {@link #WAKE} in between makes that CAS
 * fail and the process is made ready again instead. Hence the two guarantees: no event is lost (an
 * event either finds the process waiting and readies it, or finds it running and leaves the wake
 * bit that its park will see), and a process is queued at most once and never runs on two workers
 * at once (only the one CAS that reaches {@code READY} queues it, and only the one that leaves it
 * runs it). {@code RunStateLincheckTest} model-checks these interleavings.
 *
 * <p>With assertions enabled every transition is checked against {@link ProcessState#next()} and
 * recorded.
 */
final class RunState {
  private static final int READY = 0;
  private static final int RUNNING = 1;
  private static final int BLOCKED = 2;
  private static final int IDLE = 3;
  private static final int COMPLETE = 4;
  private static final int STATE_MASK = 0x7;
  private static final int WAKE = 0x8;
  private static final VarHandle WORD;

  static {
    try {
      WORD = MethodHandles.lookup().findVarHandle(RunState.class, "word", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A new process is READY: its spawner queues it. */
  @SuppressWarnings("unused") // accessed through WORD
  private volatile int word = READY;

  /** The current state, for inspection. */
  ProcessState state() {
    return stateOf((int) WORD.getVolatile(this));
  }

  /**
   * An event for the process has been queued in its inbox.
   *
   * @return true if this call moved the process from waiting to READY: the caller must queue it
   */
  boolean wake() {
    while (true) {
      int current = (int) WORD.getVolatile(this);
      int state = current & STATE_MASK;
      if (state == BLOCKED || state == IDLE) {
        if (WORD.compareAndSet(this, current, READY)) {
          assert transition(current, READY);
          return true;
        }
      } else if (state == RUNNING) {
        if ((current & WAKE) != 0 || WORD.compareAndSet(this, current, current | WAKE)) {
          return false;
        }
      } else {
        return false; // READY: already queued; COMPLETE: nobody to wake
      }
    }
  }

  /**
   * A worker took the process from its queue.
   *
   * @return true if the worker now owns it (READY to RUNNING); false for a stale queue entry
   */
  boolean start() {
    if (WORD.compareAndSet(this, READY, RUNNING)) {
      assert transition(READY, RUNNING);
      return true;
    }
    return false;
  }

  /** The running step asked to run again: RUNNING to READY. The caller must queue the process. */
  void readyAgain() {
    while (true) {
      int current = (int) WORD.getVolatile(this);
      if (WORD.compareAndSet(this, current, READY)) {
        assert transition(current, READY);
        return;
      }
    }
  }

  /**
   * The running step ended waiting for {@code waiting} (BLOCKED or IDLE).
   *
   * @return true if an event arrived during the step: the process is READY again and the caller
   *     must queue it; false if it now waits
   */
  boolean park(ProcessState waiting) {
    int target = waiting == ProcessState.IDLE ? IDLE : BLOCKED;
    while (true) {
      int current = (int) WORD.getVolatile(this);
      if ((current & WAKE) != 0) {
        if (WORD.compareAndSet(this, current, READY)) {
          assert transition(current, READY);
          return true;
        }
      } else if (WORD.compareAndSet(this, current, target)) {
        assert transition(current, target);
        return false;
      }
    }
  }

  /** The running process queued an event for itself: its park must not wait. */
  void markWoken() {
    WORD.getAndBitwiseOr(this, WAKE);
  }

  /**
   * The process ended: COMPLETE. Events after this find nobody to wake.
   *
   * @return false if it was already COMPLETE (the end must not be processed twice)
   */
  boolean complete() {
    int previous = (int) WORD.getAndSet(this, COMPLETE);
    if ((previous & STATE_MASK) == COMPLETE) {
      return false;
    }
    assert transition(previous, COMPLETE);
    return true;
  }

  private static ProcessState stateOf(int word) {
    return switch (word & STATE_MASK) {
      case READY -> ProcessState.READY;
      case RUNNING -> ProcessState.RUNNING;
      case BLOCKED -> ProcessState.BLOCKED;
      case IDLE -> ProcessState.IDLE;
      default -> ProcessState.COMPLETE;
    };
  }

  private static boolean transition(int from, int to) {
    return StateTransitions.record(stateOf(from), stateOf(to));
  }
}
