package dev.baton.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.AppContext;
import dev.baton.boot.Boot;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Closing the databases right after they started: the pool closes without waiting on itself, and
 * the in-memory H2 database it made is gone.
 */
class DatabasesCloseTest {
  /** HikariCP waits 10 s for its closer thread; a close this long means it did. */
  private static final Duration SLOW = Duration.ofSeconds(5);

  private static final int CYCLES = 150;

  /**
   * Start/close cycles under CPU contention (two spinning threads), as a node that closes right
   * after it starts on a busy machine. The race this guards against (the pool's closer thread
   * calling its synchronized fillPool while the pool's synchronized shutdown waits for it) was
   * measured once in about 300 such cycles, so a single run of this test catches it only sometimes;
   * every cycle also checks that the database is shut down.
   */
  @Test
  void closingRightAfterStart_neverWaitsForThePool_andLeavesNoDatabase() throws Exception {
    AtomicBoolean spin = new AtomicBoolean(true);
    List<Thread> spinners = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      spinners.add(
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    while (spin.get()) {
                      // keep a core busy, as other work on the machine does
                    }
                  }));
    }
    try {
      for (int cycle = 0; cycle < CYCLES; cycle++) {
        Boot boot = Boot.of(List.of(Databases.component()));
        boot.load(AppContext.empty());
        Databases databases = boot.start().require(Databases.KEY);
        String url = databases.pool(Sql.DEFAULT_DATABASE).getJdbcUrl();
        try (Connection connection = databases.dataSource(Sql.DEFAULT_DATABASE).getConnection();
            Statement statement = connection.createStatement()) {
          statement.execute("CREATE TABLE t(x INT)");
        }

        long started = System.nanoTime();
        boot.shutdown();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("close of cycle %d", cycle).isLessThan(SLOW);
        assertThatThrownBy(() -> DriverManager.getConnection(url + ";IFEXISTS=TRUE", "", ""))
            .as("the database of cycle %d is shut down", cycle)
            .isInstanceOfSatisfying(
                SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(90146));
      }
    } finally {
      spin.set(false);
      for (Thread spinner : spinners) {
        spinner.join();
      }
    }
  }
}
