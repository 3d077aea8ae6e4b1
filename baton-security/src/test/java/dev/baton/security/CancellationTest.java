package dev.baton.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.modules.store.Store;
import dev.baton.modules.store.StoreEntry;
import dev.baton.modules.store.StorePage;
import dev.baton.modules.store.Stores;
import dev.baton.modules.store.spi.StoreBackend;
import dev.baton.process.Pid;
import dev.baton.process.YieldTimeoutException;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cancellation: a validation or revocation whose revocation-store call never answers is cancelled
 * when its yield's deadline passes or its process ends, and the pending store call is cancelled.
 */
class CancellationTest {
  private final HangingStore hanging = new HangingStore("hanging");
  private TestNode node;
  private IssuedToken issued;

  @BeforeEach
  void boot() {
    node =
        TestNode.builder()
            .manualTime()
            .component(Stores.component(hanging))
            .component(
                TokenStores.component(
                    TokenStore.builder("api")
                        .issuer(SecurityModuleTest.ISSUER)
                        .audience(SecurityModuleTest.AUDIENCE)
                        .hmac("h1", TokenAlgorithm.HS256, Keys.SECRET)
                        .revocationStore("hanging")
                        .build()))
            .dispatcher(new SecurityModule())
            .build();
    issued = node.callInCoroutine(new Security.CreateToken("api", "ada", Set.of()));
  }

  @AfterEach
  void shutdown() {
    node.close();
  }

  @Test
  void aValidationPastItsYieldDeadline_cancelsTheRevocationLookup_whileTheProcessGoesOn() {
    TestNode.Started started =
        node.startCoroutine(
            (p, input) -> {
              try {
                p.call(new Security.ValidateToken("api", issued.token()), Duration.ofSeconds(1));
                return "no timeout";
              } catch (YieldTimeoutException expected) {
                return "timed out";
              }
            },
            null);
    TestNode.awaitCondition("the revocation lookup", () -> !hanging.pending.isEmpty());
    node.awaitWaiting(started.pid());

    node.manualTime().advance(Duration.ofSeconds(1));

    assertThat(started.await().value()).isEqualTo("timed out");
    TestNode.awaitCondition(
        "the lookup to be cancelled", () -> hanging.pending.getFirst().isCancelled());
  }

  @Test
  void terminatingAStepProcess_whileItsRevocationIsPending_cancelsTheStoreWrite() {
    TestNode.Started started =
        node.startStep(new TestNode.YieldOnce(Security.RevokeToken.id("api", issued.id())), null);
    Pid pid = started.pid();
    TestNode.awaitCondition("the revocation write", () -> hanging.pending.size() == 1);
    node.awaitWaiting(pid);

    node.scheduler().terminate(pid, "test");

    assertThat(started.await().error()).isNotNull();
    TestNode.awaitCondition(
        "the write to be cancelled", () -> hanging.pending.getFirst().isCancelled());
  }

  /** A revocation store whose calls never complete; it records them. */
  static final class HangingStore implements StoreBackend {
    final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
    private final String name;

    HangingStore(String name) {
      this.name = name;
    }

    private <T> CompletableFuture<T> hang() {
      CompletableFuture<T> call = new CompletableFuture<>();
      pending.add(call);
      return call;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public CompletionStage<Optional<StoreEntry>> entry(String key) {
      return hang();
    }

    @Override
    public CompletionStage<Boolean> has(String key) {
      return hang();
    }

    @Override
    public CompletionStage<Long> put(String key, byte[] value, Store.PutOptions options) {
      return hang();
    }

    @Override
    public CompletionStage<Boolean> delete(String key) {
      return hang();
    }

    @Override
    public CompletionStage<StorePage> list(String prefix, @Nullable String cursor, int limit) {
      return hang();
    }

    @Override
    public void close() {}
  }
}
