package dev.baton.dashboard;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The live feed's fan-out: slow streams are dropped, the number of streams is bounded. */
class LiveFeedTest {

  @Test
  void aStreamThatIsNotRead_isDropped_whileAReadOneKeepsGettingSnapshots() throws Exception {
    try (LiveNode node = new LiveNode()) {
      LiveFeed feed = new LiveFeed(node.view(), Duration.ofMillis(20));
      try {
        LiveFeed.Stream slow = feed.open();
        LiveFeed.Stream fast = feed.open();
        AtomicInteger fastSnapshots = new AtomicInteger();
        Thread reader =
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        while (!fast.ended()) {
                          String event = fast.poll(TimeUnit.MILLISECONDS.toNanos(50));
                          if (event != null && event.startsWith("event: snapshot")) {
                            fastSnapshots.incrementAndGet();
                          }
                        }
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    });

        awaitCondition("the unread stream to be dropped", slow::ended);
        assertThat(feed.streams()).isEqualTo(1);
        // When the unread one was dropped, the read one had been offered as many events, but its
        // reader may not have taken them all yet: awaited, not asserted at once.
        awaitCondition(
            "the read stream to get as many snapshots as an unread queue holds",
            () -> fastSnapshots.get() >= LiveFeed.QUEUE_CAPACITY);
        int seen = fastSnapshots.get();
        awaitCondition("the read stream to get more", () -> fastSnapshots.get() > seen + 3);
        assertThat(fast.ended()).isFalse();

        feed.close();
        awaitCondition("the read stream to end with the feed", fast::ended);
        reader.join(dev.baton.testing.TestNode.BOUND.toMillis());
        assertThat(reader.isAlive()).isFalse();
      } finally {
        feed.close();
      }
    }
  }

  @Test
  void atMostMaxStreamsAreOpen_andAClosedFeedOpensNone() {
    try (LiveNode node = new LiveNode()) {
      LiveFeed feed = new LiveFeed(node.view(), Duration.ofSeconds(1));
      try {
        List<LiveFeed.Stream> open = new ArrayList<>();
        for (int i = 0; i < LiveFeed.MAX_STREAMS; i++) {
          open.add(feed.open());
        }

        assertThatThrownBy(feed::open)
            .isInstanceOfSatisfying(HttpError.class, e -> assertThat(e.status()).isEqualTo(503))
            .hasMessageContaining("too many live streams");

        feed.close();
        assertThat(open).allMatch(LiveFeed.Stream::ended);
        assertThatThrownBy(feed::open).hasMessageContaining("closing");
      } finally {
        feed.close();
      }
    }
  }
}
