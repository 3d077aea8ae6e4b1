package dev.baton.sql;

/** The sql module on the embedded H2 database. */
class H2SqlModuleTest extends SqlModuleContract {
  private final String url = Databases.uniqueH2Url();

  @Override
  DatabaseConfig.Builder database() {
    // The same URL for both nodes of a test (one in-memory database), a fresh one per test.
    return DatabaseConfig.builder(DB).jdbcUrl(url);
  }

  @Override
  String bytesType() {
    return "varbinary(1000)";
  }

  @Override
  String slowQuery() {
    // About 10^10 rows to add up: minutes, unless cancelled (H2 checks for cancel as it goes).
    return "select sum(a.x * b.x) from system_range(1, 100000) a, system_range(1, 100000) b";
  }
}
