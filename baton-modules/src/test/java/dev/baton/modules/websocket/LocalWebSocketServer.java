package dev.baton.modules.websocket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;

/**
 * A WebSocket server on 127.0.0.1 and a free port, for the module's tests, driven by the text
 * messages its clients send:
 *
 * <ul>
 *   <li>{@code push N}: sends {@code m0} ... {@code m(N-1)} as text messages;
 *   <li>{@code fragments}: sends the text {@code "hello, world"} in three fragments, then the bytes
 *       0..9 as binary in two fragments;
 *   <li>{@code fragments-with-pings}: the same, with a ping between fragments of each message;
 *   <li>{@code big N}: sends a binary message of N bytes;
 *   <li>{@code close CODE REASON}: closes the connection with that code and reason;
 *   <li>{@code ping-then TEXT}: sends a ping, then {@code TEXT};
 *   <li>anything else, text or binary: echoed back.
 * </ul>
 *
 * It offers the subprotocol {@code chat.v2}, refuses the upgrade on the path {@code /refuse}, and
 * records what it saw in {@link #log()} ({@code open /path header=value}, {@code close CODE REASON
 * remote=true}, {@code ping PAYLOAD}, {@code pong}).
 */
final class LocalWebSocketServer extends WebSocketServer {
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final List<String> log = new CopyOnWriteArrayList<>();

  private LocalWebSocketServer() throws UnknownHostException {
    super(
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0),
        List.<Draft>of(
            new Draft_6455(List.of(), List.of(new Protocol("chat.v2"), new Protocol("")))));
    setReuseAddr(true);
    setDaemon(true);
  }

  /** Starts a server and waits until it listens. */
  static LocalWebSocketServer startLocal() throws Exception {
    LocalWebSocketServer server = new LocalWebSocketServer();
    server.start();
    server.started.get(10, TimeUnit.SECONDS);
    return server;
  }

  /** The server's URI for {@code path}. */
  String uri(String path) {
    return "ws://127.0.0.1:" + getPort() + path;
  }

  /** What the server saw, in order. */
  List<String> log() {
    return log;
  }

  /** Whether the log has an entry starting with {@code prefix}. */
  boolean saw(String prefix) {
    return log.stream().anyMatch(entry -> entry.startsWith(prefix));
  }

  /** Stops the server, closing its connections. */
  void shutdown() throws InterruptedException {
    stop(1000);
  }

  @Override
  public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(
      WebSocket conn, Draft draft, ClientHandshake request) throws InvalidDataException {
    if (request.getResourceDescriptor().startsWith("/refuse")) {
      throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "refused by the test");
    }
    return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
  }

  @Override
  public void onOpen(WebSocket conn, ClientHandshake handshake) {
    log.add(
        "open "
            + handshake.getResourceDescriptor()
            + " x-token="
            + handshake.getFieldValue("X-Token")
            + " protocol="
            + handshake.getFieldValue("Sec-WebSocket-Protocol"));
  }

  @Override
  public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    log.add("close " + code + " " + reason + " remote=" + remote);
  }

  @Override
  public void onMessage(WebSocket conn, String message) {
    String[] words = message.split(" ", 3);
    switch (words[0]) {
      case "push" -> {
        for (int i = 0; i < Integer.parseInt(words[1]); i++) {
          conn.send("m" + i);
        }
      }
      case "fragments" -> {
        conn.sendFragmentedFrame(Opcode.TEXT, utf8("hello"), false);
        conn.sendFragmentedFrame(Opcode.TEXT, utf8(", "), false);
        conn.sendFragmentedFrame(Opcode.TEXT, utf8("world"), true);
        conn.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4}), false);
        conn.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(new byte[] {5, 6, 7, 8, 9}), true);
      }
      case "fragments-with-pings" -> {
        conn.sendFragmentedFrame(Opcode.TEXT, utf8("hello"), false);
        conn.sendPing();
        conn.sendFragmentedFrame(Opcode.TEXT, utf8(", "), false);
        conn.sendFragmentedFrame(Opcode.TEXT, utf8("world"), true);
        conn.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4}), false);
        conn.sendPing();
        conn.sendFragmentedFrame(Opcode.BINARY, ByteBuffer.wrap(new byte[] {5, 6, 7, 8, 9}), true);
      }
      case "big" -> conn.send(new byte[Integer.parseInt(words[1])]);
      case "close" -> conn.close(Integer.parseInt(words[1]), words.length > 2 ? words[2] : "");
      case "ping-then" -> {
        conn.sendPing();
        conn.send(words[1]);
      }
      default -> conn.send(message);
    }
  }

  @Override
  public void onMessage(WebSocket conn, ByteBuffer message) {
    conn.send(message);
  }

  @Override
  public void onWebsocketPing(WebSocket conn, Framedata frame) {
    log.add("ping " + StandardCharsets.UTF_8.decode(frame.getPayloadData()));
    super.onWebsocketPing(conn, frame);
  }

  @Override
  public void onWebsocketPong(WebSocket conn, Framedata frame) {
    log.add("pong");
  }

  @Override
  public void onError(WebSocket conn, Exception ex) {
    log.add("error " + ex);
  }

  @Override
  public void onStart() {
    started.complete(null);
  }

  private static ByteBuffer utf8(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }
}
