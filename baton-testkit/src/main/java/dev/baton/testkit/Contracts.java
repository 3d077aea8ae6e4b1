package dev.baton.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.tasks.Report;
import dev.baton.tasks.Role;
import dev.baton.tasks.TaskApp;
import dev.baton.tasks.TaskConfigurationException;
import dev.baton.tasks.spi.NamedTaskConsumer;
import dev.baton.tasks.spi.ReportEnvelope;
import dev.baton.tasks.spi.ReportPublisher;
import dev.baton.tasks.spi.ReportStore;
import dev.baton.tasks.spi.TaskConsumer;
import dev.baton.tasks.spi.TaskEnvelope;
import dev.baton.tasks.spi.TaskProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Helpers the suites share: bounded waits, report collection, envelope comparison, names. */
final class Contracts {

  private Contracts() {}

  /**
   * A prefix no other test run uses, for queue and task names on a shared, real broker: {@code "ct"
   * + 8 hex digits + "."}. Letters, digits and dots only, which every broker accepts.
   */
  static String uniquePrefix() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return "ct" + HexFormat.of().formatHex(random) + ".";
  }

  /**
   * Waits up to {@code bound} for {@code stage}, failing the test (not hanging it) if it does not
   * complete, and rethrowing its failure as an {@link AssertionError} naming {@code what}.
   */
  static <T extends @Nullable Object> T join(CompletionStage<T> stage, Duration bound, String what)
      throws InterruptedException {
    try {
      return stage.toCompletableFuture().get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + bound, e);
    }
  }

  /**
   * Subscribes to {@code reports} requesting everything and waits up to {@code bound} for the
   * stream to complete; returns the reports in arrival order.
   */
  static List<Report> collect(Flow.Publisher<Report> reports, Duration bound, String what)
      throws InterruptedException {
    return await(subscribe(reports), bound, what);
  }

  /**
   * Subscribes to {@code reports} requesting everything; wait for the outcome with {@link #await}.
   */
  static ReportCollector subscribe(Flow.Publisher<Report> reports) {
    ReportCollector collector = new ReportCollector();
    reports.subscribe(collector);
    return collector;
  }

  /** Waits up to {@code bound} for the stream {@code collector} subscribed to to complete. */
  static List<Report> await(ReportCollector collector, Duration bound, String what)
      throws InterruptedException {
    try {
      return join(collector.done, bound, "the report stream of " + what);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; reports so far: " + collector.soFar(), e);
    }
  }

  /** Asserts that {@code actual} carries every field of {@code expected}, arrays by content. */
  static void assertSameTask(TaskEnvelope actual, TaskEnvelope expected) {
    assertThat(actual.version()).as("version").isEqualTo(expected.version());
    assertThat(actual.key()).as("key").isEqualTo(expected.key());
    assertThat(actual.queue()).as("queue").isEqualTo(expected.queue());
    assertThat(actual.marshallerId()).as("marshallerId").isEqualTo(expected.marshallerId());
    assertThat(actual.reportMarshallerId())
        .as("reportMarshallerId")
        .isEqualTo(expected.reportMarshallerId());
    assertThat(actual.arguments()).as("arguments").isEqualTo(expected.arguments());
    assertThat(actual.attempt()).as("attempt").isEqualTo(expected.attempt());
    assertThat(actual.options()).as("options").isEqualTo(expected.options());
    assertThat(actual.createdAt()).as("createdAt").isEqualTo(expected.createdAt());
    assertThat(actual.traceparent()).as("traceparent").isEqualTo(expected.traceparent());
    assertThat(actual.replyTo()).as("replyTo").isEqualTo(expected.replyTo());
  }

  /** Asserts that {@code actual} carries every field of {@code expected}, arrays by content. */
  static void assertSameReport(ReportEnvelope actual, ReportEnvelope expected) {
    assertThat(actual.version()).as("version").isEqualTo(expected.version());
    assertThat(actual.key()).as("key").isEqualTo(expected.key());
    assertThat(actual.status()).as("status").isEqualTo(expected.status());
    assertThat(actual.attempt()).as("attempt").isEqualTo(expected.attempt());
    assertThat(actual.marshallerId()).as("marshallerId").isEqualTo(expected.marshallerId());
    assertThat(actual.value()).as("value").isEqualTo(expected.value());
    assertThat(actual.error()).as("error").isEqualTo(expected.error());
    assertThat(actual.progress()).as("progress").isEqualTo(expected.progress());
    assertThat(actual.at()).as("at").isEqualTo(expected.at());
    assertThat(actual.expiresAt()).as("expiresAt").isEqualTo(expected.expiresAt());
  }

  /** Whether {@code a} and {@code b} are one object (an adapter serving two roles). */
  @SuppressWarnings("ReferenceEquality") // identity is the question
  static boolean sameObject(Object a, Object b) {
    return a == b;
  }

  /** Whether {@code adapter} implements the SPI interface of {@code role}. */
  static boolean implementsRole(Object adapter, Role role) {
    return switch (role) {
      case PRODUCER -> adapter instanceof TaskProducer;
      case CONSUMER -> adapter instanceof TaskConsumer;
      case NAMED_CONSUMER -> adapter instanceof NamedTaskConsumer;
      case REPORTER -> adapter instanceof ReportPublisher;
      case STORE -> adapter instanceof ReportStore;
    };
  }

  /**
   * Asserts that a remote app refuses to attach {@code adapter} for each of {@code roles} it does
   * not implement, one at a time and all together, with {@link TaskConfigurationException}.
   *
   * @return the roles that were checked (those {@code adapter} does not implement)
   */
  static Set<Role> assertRefusesMissingRoles(Object adapter, Set<Role> roles) {
    Set<Role> missing = EnumSet.noneOf(Role.class);
    for (Role role : roles) {
      if (!implementsRole(adapter, role)) {
        missing.add(role);
      }
    }
    for (Role role : missing) {
      try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
        assertThatThrownBy(() -> app.use(adapter, role))
            .as("attaching %s for %s, which it does not implement", adapter, role)
            .isInstanceOf(TaskConfigurationException.class);
      }
    }
    if (!missing.isEmpty()) {
      try (TaskApp app = TaskApp.builder().mode(TaskApp.Mode.REMOTE).build()) {
        Role[] all = missing.toArray(new Role[0]);
        assertThatThrownBy(() -> app.use(adapter, all))
            .as("attaching %s for %s together", adapter, missing)
            .isInstanceOf(TaskConfigurationException.class);
      }
    }
    return missing;
  }

  /** Requests every report and completes {@link #done} with them when the stream completes. */
  static final class ReportCollector implements Flow.Subscriber<Report> {
    private final List<Report> received = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<List<Report>> done = new CompletableFuture<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Report report) {
      received.add(report);
    }

    @Override
    public void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      done.complete(soFar());
    }

    List<Report> soFar() {
      synchronized (received) {
        return List.copyOf(received);
      }
    }
  }
}
