package dev.baton.cloudstorage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a real server that forwards, on each connection, only the first {@code
 * requestLimit} bytes of requests and {@code answerLimit} bytes of answers, then stalls (reads no
 * more from that side) until the client closes the connection: a transfer past a limit never ends
 * by itself, so only an abort ends it. Counts the connections the client closed (seen while
 * requests flow). Loopback only; {@link #close()} closes every socket and ends its threads.
 */
final class StallingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final URI upstream;
  private final long requestLimit;
  private final long allowed;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong requestBytes = new AtomicLong();
  private final AtomicInteger closedByClient = new AtomicInteger();
  // Every socket this proxy opened or accepted, closed by close().
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private StallingProxy(ServerSocket listener, URI upstream, long requestLimit, long allowed) {
    this.listener = listener;
    this.upstream = upstream;
    this.requestLimit = requestLimit;
    this.allowed = allowed;
  }

  /** Requests whole, answers cut at {@code answerLimit} bytes per connection. */
  static StallingProxy start(URI upstream, long answerLimit) throws IOException {
    return start(upstream, Long.MAX_VALUE, answerLimit);
  }

  static StallingProxy start(URI upstream, long requestLimit, long answerLimit) throws IOException {
    StallingProxy proxy =
        new StallingProxy(
            new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
            upstream,
            requestLimit,
            answerLimit);
    Thread.ofVirtual().name("stalling-proxy-accept").start(proxy::acceptLoop);
    return proxy;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** Bytes of answers forwarded to clients so far. */
  long forwarded() {
    return forwarded.get();
  }

  /** Bytes of requests forwarded to the server so far. */
  long requestBytes() {
    return requestBytes.get();
  }

  /** Connections whose client closed them. */
  int closedByClient() {
    return closedByClient.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), upstream.getPort());
        sockets.add(client);
        sockets.add(server);
        Thread.ofVirtual().start(() -> requests(client, server));
        Thread.ofVirtual().start(() -> answers(server, client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void requests(Socket client, Socket server) {
    long left = requestLimit;
    // Streams not closed here while stalling: closing a socket's stream closes the socket.
    try {
      InputStream in = client.getInputStream();
      OutputStream out = server.getOutputStream();
      byte[] buffer = new byte[16 * 1024];
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
        out.write(buffer, 0, n);
        requestBytes.addAndGet(n);
        left -= n;
      }
      if (left == 0) {
        return; // stall: the client's writes block once the socket buffers are full
      }
      closedByClient.incrementAndGet();
    } catch (IOException e) {
      if (!listener.isClosed()) {
        closedByClient.incrementAndGet(); // reset by the client
      }
    }
    closeQuietly(server);
    closeQuietly(client);
  }

  private void answers(Socket server, Socket client) {
    long left = allowed;
    // Not closed here: closing a socket's stream closes the socket, and this side must stall.
    try {
      InputStream in = server.getInputStream();
      OutputStream out = client.getOutputStream();
      byte[] buffer = new byte[16 * 1024];
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          return;
        }
        out.write(buffer, 0, n);
        out.flush();
        forwarded.addAndGet(n);
        left -= n;
      }
      // Stall: read nothing more; requests() closes both sockets when the client goes away.
    } catch (IOException e) {
      // a socket closed
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(StallingProxy::closeQuietly);
  }
}
