package dev.baton.dashboard;

import dev.baton.testing.TestNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Reads a server-sent event stream on a virtual thread; events are taken with a bound. */
final class SseClient implements AutoCloseable {
  /** One event; {@code name} "end" marks the end of the stream. */
  record Event(String name, String data) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final InputStream body;
  final HttpResponse<InputStream> response;

  SseClient(HttpClient client, URI uri, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    this.response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    this.body = response.body();
    Thread.ofVirtual().name("sse-reader").start(this::read);
  }

  private void read() {
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(name, data.toString()));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (IOException e) {
      // the stream ended abruptly: reported as its end
    }
    events.add(new Event("end", ""));
  }

  /** The next event named {@code name}, skipping others; fails after {@link TestNode#BOUND}. */
  Event next(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TestNode.BOUND.toNanos();
    while (true) {
      @Nullable Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("no '" + name + "' event within " + TestNode.BOUND);
      }
      if (event.name().equals(name)) {
        return event;
      }
      if (event.name().equals("end")) {
        throw new AssertionError("the stream ended before a '" + name + "' event");
      }
    }
  }

  /** Waits for the stream's end, skipping events; fails after {@link TestNode#BOUND}. */
  void awaitEnd() throws InterruptedException {
    long deadline = System.nanoTime() + TestNode.BOUND.toNanos();
    while (true) {
      @Nullable Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("the stream did not end within " + TestNode.BOUND);
      }
      if (event.name().equals("end")) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    body.close();
  }
}
