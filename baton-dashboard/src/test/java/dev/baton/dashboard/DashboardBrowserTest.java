package dev.baton.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.baton.process.Pid;
import dev.baton.tasks.spi.DeadLetter;
import dev.baton.testing.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard end to end in a real headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver} packages, which {@code scripts/lib/browser.sh} installs), driven by Selenium:
 * the live numbers change, a dead letter is retried from the page, a process is terminated from the
 * page, and screenshots are kept in {@code target/e2e-artifacts/}.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path ARTIFACTS = Path.of("target", "e2e-artifacts");

  /** What a test does with the browser. */
  @FunctionalInterface
  private interface BrowserSteps {
    void run(WebDriver driver) throws Exception;
  }

  @Test
  void thePage_isLive_retriesADeadLetter_andTerminatesAProcess() throws Exception {
    try (LiveNode node = new LiveNode()) {
      node.startWork();
      DeadLetter letter = node.deadLetterOne("for the browser");
      String callId = Objects.requireNonNull(letter.key()).id();
      Pid idle = node.spawnIdle();
      Pid other = node.spawnIdle();
      try (Dashboard dashboard =
          Dashboard.start(
              DashboardSettings.builder().port(0).sampleInterval(Duration.ofMillis(200)).build(),
              node.view())) {
        String url = "http://127.0.0.1:" + dashboard.address().getPort() + "/";
        withBrowser(driver -> exercise(driver, url, node, letter, callId, idle, other));
      }
    }
  }

  @Test
  void aDashboardWithAToken_asksForIt_refusesAWrongOne_andGoesLiveWithTheRightOne()
      throws Exception {
    String token = "browser-test-token-0123456789";
    try (LiveNode node = new LiveNode()) {
      node.startWork();
      try (Dashboard dashboard =
          Dashboard.start(
              DashboardSettings.builder()
                  .port(0)
                  .token(token)
                  .sampleInterval(Duration.ofMillis(200))
                  .build(),
              node.view())) {
        String url = "http://127.0.0.1:" + dashboard.address().getPort() + "/";
        withBrowser(
            driver -> {
              WebDriverWait wait = waitFor(driver);
              driver.get(url);
              wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
              assertThat(driver.findElement(By.id("main")).isDisplayed()).isFalse();

              driver.findElement(By.id("login-token")).sendKeys("not-the-token-at-all-0000");
              driver.findElement(By.id("login-submit")).click();
              wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
              assertThat(text(driver, "error-text")).contains("wrong token");

              driver.findElement(By.id("login-token")).clear();
              driver.findElement(By.id("login-token")).sendKeys(token);
              driver.findElement(By.id("login-submit")).click();
              wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("main")));
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
              wait.until(d -> !text(d, "stat-commands").equals("–"));
              assertThat(driver.findElement(By.id("login")).isDisplayed()).isFalse();
              awaitChartPoints(wait, 10);
              screenshot(driver, "signed-in");

              // Nothing was dead-lettered: the table says so rather than staying blank.
              driver.findElement(By.cssSelector("[data-testid=nav-tasks]")).click();
              By empty = By.cssSelector("#dead-letters-table tr[data-testid=empty]");
              // A live refresh may replace the row between finding and reading it: read it in
              // the wait, which retries a stale element.
              wait.until(d -> d.findElement(empty).getText().startsWith("No dead letters"));
            });
      }
    }
  }

  @Test
  void afterTheDashboardRestartsOnItsPort_theOpenPageGoesLiveAgain_andItsActionsWork()
      throws Exception {
    try (LiveNode node = new LiveNode()) {
      node.startWork();
      Pid idle = node.spawnIdle();
      DashboardSettings first =
          DashboardSettings.builder().port(0).sampleInterval(Duration.ofMillis(200)).build();
      Dashboard dashboard = Dashboard.start(first, node.view());
      try {
        int port = dashboard.address().getPort();
        Dashboard before = dashboard;
        withBrowser(
            driver -> {
              WebDriverWait wait = waitFor(driver);
              driver.get("http://127.0.0.1:" + port + "/");
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
              driver.findElement(By.cssSelector("[data-testid=nav-processes]")).click();
              By row = By.cssSelector("tr[data-testid=process-row][data-pid='" + idle.id() + "']");
              wait.until(ExpectedConditions.visibilityOfElementLocated(row));

              // The node restarts its dashboard on the same port: a new CSRF token.
              before.close();
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "reconnecting…"));
              Dashboard after =
                  Dashboard.start(
                      DashboardSettings.builder()
                          .port(port)
                          .sampleInterval(Duration.ofMillis(200))
                          .build(),
                      node.view());
              try {
                wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
                driver
                    .findElement(By.cssSelector("[data-testid='terminate-" + idle.id() + "']"))
                    .click();
                wait.until(ExpectedConditions.invisibilityOfElementLocated(row));
                assertThat(node.scheduler().isAlive(idle)).isFalse();
                assertThat(driver.findElement(By.id("error")).isDisplayed())
                    .as("error banner: %s", text(driver, "error-text"))
                    .isFalse();
              } finally {
                after.close();
              }
            });
      } finally {
        dashboard.close();
      }
    }
  }

  @Test
  void aNodeThatFailsToAnswer_isShownAsSuch_andThePageRecoversOnItsOwn() throws Exception {
    try (LiveNode node = new LiveNode()) {
      node.startWork();
      java.util.concurrent.atomic.AtomicBoolean broken =
          new java.util.concurrent.atomic.AtomicBoolean(true);
      try (Dashboard dashboard =
          Dashboard.start(
              DashboardSettings.builder().port(0).sampleInterval(Duration.ofMillis(200)).build(),
              new FlakyView(node.view(), broken))) {
        String url = "http://127.0.0.1:" + dashboard.address().getPort() + "/";
        withBrowser(
            driver -> {
              WebDriverWait wait = waitFor(driver);
              // Failing when the page loads: the banner says why, and the page keeps asking.
              driver.get(url);
              wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
              assertThat(text(driver, "error-text")).contains("the broker is down");

              broken.set(false);
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
              wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("error")));
              wait.until(d -> !text(d, "stat-commands").equals("–"));

              // Failing while the page is live: the header says the numbers are not fresh.
              broken.set(true);
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "node not answering"));
              assertThat(driver.findElement(By.id("live-status")).getDomAttribute("title"))
                  .contains("the broker is down");

              broken.set(false);
              wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
            });
      }
    }
  }

  /**
   * Runs {@code steps} in a fresh headless Chromium (its own profile directory, removed after),
   * driven through Debian's chromedriver.
   */
  private static void withBrowser(BrowserSteps steps) throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail(
          "the browser test needs "
              + CHROMIUM
              + " and "
              + CHROMEDRIVER
              + " (Debian's chromium and chromium-driver packages): run scripts/lib/browser.sh");
    }
    Files.createDirectories(ARTIFACTS);
    Path profile = Files.createTempDirectory("baton-chromium-");
    try {
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toString());
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          "--disable-quic",
          "--window-size=1280,1000",
          "--user-data-dir=" + profile);
      // Keeps the page's console, so a test can check it logged no error (script, CSP).
      options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
      try {
        WebDriver driver = new ChromeDriver(service, options);
        try {
          steps.run(driver);
        } catch (Exception | AssertionError e) {
          keepScreenshotOfFailure(driver, e);
          throw e;
        } finally {
          driver.quit();
        }
      } finally {
        service.stop();
      }
    } catch (Exception | AssertionError e) {
      // Cleaning up never hides why the test failed.
      try {
        deleteTree(profile);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    deleteTree(profile);
  }

  /** Keeps what the page showed when a test failed, as {@code dashboard-failure.png}. */
  private static void keepScreenshotOfFailure(WebDriver driver, Throwable failure) {
    try {
      screenshot(driver, "failure");
    } catch (IOException | RuntimeException | AssertionError e) {
      failure.addSuppressed(e);
    }
  }

  private static void exercise(
      WebDriver driver,
      String url,
      LiveNode node,
      DeadLetter letter,
      String callId,
      Pid idle,
      Pid other)
      throws IOException {
    WebDriverWait wait = waitFor(driver);
    driver.get(url);

    // Overview: the stream is live and the numbers move while the node works.
    wait.until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
    wait.until(d -> !text(d, "stat-commands").equals("–"));
    String firstCount = text(driver, "stat-commands");
    wait.until(d -> !text(d, "stat-commands").equals(firstCount));
    wait.until(d -> !text(d, "stat-commands-rate").equals("–"));
    assertThat(text(driver, "node-name")).isEqualTo(LiveNode.NODE_NAME);
    wait.until(
        d ->
            !d.findElements(By.cssSelector("#queues-table tbody tr:not(.empty)")).isEmpty()
                && !d.findElements(By.cssSelector("#workers-table tbody tr:not(.empty)"))
                    .isEmpty());
    // The chart draws a point per sample: a few seconds of them make a readable screenshot.
    awaitChartPoints(wait, 15);
    screenshot(driver, "overview");

    // Tasks: the dead letter is listed with its error; Retry puts it back and it runs again.
    driver.findElement(By.cssSelector("[data-testid=nav-tasks]")).click();
    By letterRow = By.cssSelector("tr[data-testid=dead-letter-row][data-id='" + letter.id() + "']");
    wait.until(ExpectedConditions.visibilityOfElementLocated(letterRow));
    wait.until(
        d -> d.findElement(letterRow).getText().contains("broken on purpose: for the browser"));
    By taskRow = By.cssSelector("tr[data-testid=task-row][data-task-id='" + callId + "']");
    int runsBefore = node.brokenRuns.get();
    Instant clicked = Instant.now();

    driver.findElement(By.cssSelector("[data-testid='retry-" + letter.id() + "']")).click();

    wait.until(ExpectedConditions.invisibilityOfElementLocated(letterRow));
    wait.until(
        d -> {
          var rows = d.findElements(taskRow);
          String at = rows.isEmpty() ? null : rows.get(0).getDomAttribute("data-at");
          return at != null && Instant.parse(at).isAfter(clicked);
        });
    assertThat(node.brokenRuns.get()).isGreaterThan(runsBefore);
    // Broken as it is, the retried call fails again and is listed anew, under a new id.
    wait.until(
        d ->
            d.findElements(By.cssSelector("tr[data-testid=dead-letter-row]")).stream()
                .anyMatch(r -> r.getText().contains(callId)));
    wait.until(d -> "failed".equals(d.findElement(taskRow).getDomAttribute("class")));
    screenshot(driver, "tasks");

    // Processes: Terminate ends the process and its row goes.
    driver.findElement(By.cssSelector("[data-testid=nav-processes]")).click();
    By processRow = By.cssSelector("tr[data-testid=process-row][data-pid='" + idle.id() + "']");
    wait.until(ExpectedConditions.visibilityOfElementLocated(processRow));
    driver.findElement(By.cssSelector("[data-testid='terminate-" + idle.id() + "']")).click();
    wait.until(ExpectedConditions.invisibilityOfElementLocated(processRow));
    assertThat(node.scheduler().isAlive(idle)).isFalse();
    assertThat(
            driver
                .findElement(
                    By.cssSelector("tr[data-testid=process-row][data-pid='" + other.id() + "']"))
                .isDisplayed())
        .isTrue();
    assertThat(node.scheduler().isAlive(other)).isTrue();
    screenshot(driver, "processes");

    // Nothing went wrong on the page: no error banner, no error in its console (a script error or
    // a Content-Security-Policy violation would show there). The browser's own request for
    // /favicon.ico, which the dashboard does not serve, is the one expected 404.
    assertThat(driver.findElement(By.id("error")).isDisplayed())
        .as("error banner: %s", text(driver, "error-text"))
        .isFalse();
    List<String> consoleErrors =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
            .map(LogEntry::getMessage)
            .filter(message -> !message.contains("favicon.ico"))
            .toList();
    assertThat(consoleErrors).isEmpty();
  }

  private static void awaitChartPoints(WebDriverWait wait, int points) {
    wait.until(
        d -> {
          String drawn = d.findElement(By.id("throughput-chart")).getDomAttribute("data-points");
          return drawn != null && Integer.parseInt(drawn) >= points;
        });
  }

  /**
   * A bounded wait that retries a condition whose element went stale: the page re-renders tables on
   * live updates, so an element found a moment ago may have been replaced.
   */
  private static WebDriverWait waitFor(WebDriver driver) {
    WebDriverWait wait = new WebDriverWait(driver, TestNode.BOUND);
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static String text(WebDriver driver, String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static void screenshot(WebDriver driver, String name) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Path file = ARTIFACTS.resolve("dashboard-" + name + ".png");
    Files.write(file, png);
    byte[] written = Files.readAllBytes(file);
    assertThat(written.length).isGreaterThan(1000);
    assertThat(java.util.Arrays.copyOf(written, 8))
        .containsExactly(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
  }

  /**
   * Deletes the browser's profile. Chromium's helper processes may still write to it for a moment
   * after {@code quit()}, so a walk that meets a file coming or going is tried again, within {@link
   * TestNode#BOUND}.
   */
  private static void deleteTree(Path root) throws IOException {
    long deadline = System.nanoTime() + TestNode.BOUND.toNanos();
    while (true) {
      try {
        if (!Files.exists(root)) {
          return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(path);
          }
        }
        return;
      } catch (IOException | java.io.UncheckedIOException e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("cannot delete the browser profile " + root, e);
        }
        Thread.onSpinWait();
      }
    }
  }
}
