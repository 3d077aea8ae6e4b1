package dev.baton.modules.websocket;

import static java.util.Objects.requireNonNull;

import dev.baton.dispatch.Command;
import dev.baton.dispatch.CommandId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The websocket module's commands, their handles and results (DESIGN.md's table), handled by {@link
 * WebSocketModule}.
 *
 * <p>A process opens a client connection with {@link Connect}, writes with {@link Send} and {@link
 * Ping}, reads either on demand with {@link Receive} or by having every incoming message relayed to
 * a topic of its mailbox with {@link Subscribe} (until {@link Unsubscribe}), and ends it with
 * {@link Close}. The connection belongs to the process that connected it: no other process can
 * reach it, and it is aborted when that process ends. Every record is immutable and validates its
 * arguments when built ({@link NullPointerException} or {@link IllegalArgumentException} naming the
 * field).
 */
public final class WebSockets {
  /** The id of {@link Connect}. */
  public static final CommandId CONNECT = CommandId.of(80);

  /** The id of {@link Send}. */
  public static final CommandId SEND = CommandId.of(81);

  /** The id of {@link Receive}. */
  public static final CommandId RECEIVE = CommandId.of(82);

  /** The id of {@link Close}. */
  public static final CommandId CLOSE = CommandId.of(83);

  /** The id of {@link Ping}. */
  public static final CommandId PING = CommandId.of(84);

  /** The id of {@link Subscribe}. */
  public static final CommandId SUBSCRIBE = CommandId.of(85);

  /** The id of {@link Unsubscribe}. */
  public static final CommandId UNSUBSCRIBE = CommandId.of(86);

  /** How long {@link Connect} waits for the TCP connection and the upgrade by default: 30 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** The largest incoming message a connection accepts by default: 16 MiB. */
  public static final int DEFAULT_READ_LIMIT = 16 * 1024 * 1024;

  /** The normal close code, 1000. */
  public static final int NORMAL_CLOSURE = 1000;

  /**
   * The code of a close marker when the connection ended without a close frame from the peer (the
   * peer vanished, the close handshake timed out, or the connection failed): 1006, which never
   * travels on the wire.
   */
  public static final int CLOSED_ABNORMALLY = 1006;

  private WebSockets() {}

  /**
   * A WebSocket connection held by the process that connected it; private to it.
   *
   * @param value the handle's number
   */
  public record ConnectionId(long value) {}

  /**
   * What {@link Connect} returns.
   *
   * @param id the connection's handle
   * @param subprotocol the subprotocol the server chose among those offered, or {@code ""} if none
   */
  public record Connection(ConnectionId id, String subprotocol) {
    /** Validates. */
    public Connection {
      requireNonNull(id, "id");
      requireNonNull(subprotocol, "subprotocol");
    }
  }

  /**
   * What arrives on a connection: a whole {@link Text} or {@link Binary} message (fragments already
   * assembled), or the {@link Closed} marker that ends the stream. {@link Receive} returns one;
   * {@link Subscribe} delivers each as a mailbox message's payload.
   */
  public sealed interface Incoming permits Text, Binary, Closed {}

  /** A message a process sends: {@link Text} or {@link Binary}. */
  public sealed interface Payload permits Text, Binary {}

  /**
   * A text message.
   *
   * @param text the message
   */
  public record Text(String text) implements Incoming, Payload {
    /** Validates. */
    public Text {
      requireNonNull(text, "text");
    }
  }

  /**
   * A binary message.
   *
   * @param bytes the message (copied in and out)
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out, never shared
  public record Binary(byte[] bytes) implements Incoming, Payload {
    /** Validates and copies. */
    public Binary {
      bytes = requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The message's length in bytes. */
    public int length() {
      return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Binary that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Binary[" + bytes.length + " bytes]";
    }
  }

  /**
   * The end of a connection's incoming stream: the code and reason of the peer's close frame, or
   * {@link #CLOSED_ABNORMALLY} with a description when the connection ended without one. Once a
   * connection has closed, every {@link Receive} returns this marker again.
   *
   * @param code the close code
   * @param reason the close reason, possibly empty
   */
  public record Closed(int code, String reason) implements Incoming {
    /** Validates. */
    public Closed {
      requireNonNull(reason, "reason");
    }

    /** Whether the peer closed with {@link #NORMAL_CLOSURE}. */
    public boolean normal() {
      return code == NORMAL_CLOSURE;
    }
  }

  /**
   * Opens a client connection to {@code uri} ({@code ws://} or {@code wss://}), offering {@code
   * subprotocols} in order of preference. Completes with a {@link Connection} once the upgrade
   * succeeded, or fails with {@link WebSocketConnectException} (with the HTTP status if the server
   * refused the upgrade).
   *
   * @param uri where to connect
   * @param headers extra request headers for the upgrade (not the {@code Sec-WebSocket-*}, {@code
   *     Connection}, {@code Upgrade} or {@code Host} headers, which the client sets)
   * @param subprotocols the subprotocols to offer, most preferred first; may be empty
   * @param connectTimeout how long the TCP connect and the upgrade may take together
   * @param readLimit the largest incoming message in bytes (text counted as UTF-8); a larger one
   *     ends the connection and fails the read with {@link MessageTooLargeException}
   */
  public record Connect(
      URI uri,
      Map<String, String> headers,
      List<String> subprotocols,
      Duration connectTimeout,
      int readLimit)
      implements Command<Connection> {
    /** Validates and copies. */
    public Connect {
      requireNonNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("ws") && !scheme.equals("wss")) {
        throw new IllegalArgumentException("uri must be ws:// or wss://, was " + uri);
      }
      headers =
          Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers")));
      for (Map.Entry<String, String> header : headers.entrySet()) {
        requireNonNull(header.getKey(), "headers' name");
        requireNonNull(header.getValue(), "headers' value for " + header.getKey());
        String name = header.getKey().toLowerCase(Locale.ROOT);
        if (name.isBlank()
            || name.startsWith("sec-websocket-")
            || name.equals("connection")
            || name.equals("upgrade")
            || name.equals("host")) {
          throw new IllegalArgumentException(
              "headers may not set '" + header.getKey() + "': the WebSocket client sets it");
        }
      }
      subprotocols = List.copyOf(requireNonNull(subprotocols, "subprotocols"));
      for (String subprotocol : subprotocols) {
        if (subprotocol.isBlank()) {
          throw new IllegalArgumentException("subprotocols may not contain a blank name");
        }
      }
      requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout must be positive, was " + connectTimeout);
      }
      if (readLimit < 1) {
        throw new IllegalArgumentException("readLimit must be at least 1, was " + readLimit);
      }
    }

    /** Connects to {@code uri} with no extra headers or subprotocols and the default limits. */
    public static Connect to(String uri) {
      return to(URI.create(requireNonNull(uri, "uri")));
    }

    /** Connects to {@code uri} with no extra headers or subprotocols and the default limits. */
    public static Connect to(URI uri) {
      return new Connect(uri, Map.of(), List.of(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_LIMIT);
    }

    /** This connect with one more request header. */
    public Connect withHeader(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      return new Connect(uri, more, subprotocols, connectTimeout, readLimit);
    }

    /** This connect offering {@code offered}, most preferred first. */
    public Connect withSubprotocols(String... offered) {
      return new Connect(uri, headers, List.of(offered), connectTimeout, readLimit);
    }

    /** This connect with another connect timeout. */
    public Connect withConnectTimeout(Duration timeout) {
      return new Connect(uri, headers, subprotocols, timeout, readLimit);
    }

    /** This connect with another read limit in bytes. */
    public Connect withReadLimit(int limit) {
      return new Connect(uri, headers, subprotocols, connectTimeout, limit);
    }

    @Override
    public CommandId commandId() {
      return CONNECT;
    }
  }

  /**
   * Sends one whole message. Completes with {@code true} once the client has written the frame
   * (sends on one connection are written one after another, in the order the module received them),
   * or fails with {@link WebSocketClosedException} if the connection's output is closed.
   *
   * @param connection the connection
   * @param payload the message
   */
  public record Send(ConnectionId connection, Payload payload) implements Command<Boolean> {
    /** Validates. */
    public Send {
      requireNonNull(connection, "connection");
      requireNonNull(payload, "payload");
    }

    /** Sends {@code text} as a text message. */
    public static Send text(ConnectionId connection, String text) {
      return new Send(connection, new Text(text));
    }

    /** Sends {@code bytes} (copied) as a binary message. */
    public static Send binary(ConnectionId connection, byte[] bytes) {
      return new Send(connection, new Binary(bytes));
    }

    @Override
    public CommandId commandId() {
      return SEND;
    }
  }

  /**
   * Completes with the next whole message of the connection, or with its {@link Closed} marker once
   * the peer closed it (again at every later Receive). Fails with {@link MessageTooLargeException}
   * for a message over the read limit, {@link WebSocketClosedException} if the connection failed,
   * and {@link WebSocketReadConflictException} while the connection is subscribed.
   *
   * @param connection the connection
   */
  public record Receive(ConnectionId connection) implements Command<Incoming> {
    /** Validates. */
    public Receive {
      requireNonNull(connection, "connection");
    }

    @Override
    public CommandId commandId() {
      return RECEIVE;
    }
  }

  /**
   * Closes the connection: sends a close frame with {@code code} and {@code reason} after the sends
   * already accepted, waits for the peer's close frame (at most the module's close timeout), then
   * releases the connection and its handle. Completes with the peer's {@link Closed} (or {@link
   * #CLOSED_ABNORMALLY} if the peer did not answer in time).
   *
   * @param connection the connection
   * @param code the close code: 1000, 1001, 1008, 1011, or 3000-4999 (the codes a client may send)
   * @param reason the reason, at most 123 bytes of UTF-8
   */
  public record Close(ConnectionId connection, int code, String reason) implements Command<Closed> {
    /** Validates. */
    public Close {
      requireNonNull(connection, "connection");
      requireNonNull(reason, "reason");
      if (!(code == 1000 || code == 1001 || code == 1008 || code == 1011)
          && !(code >= 3000 && code <= 4999)) {
        throw new IllegalArgumentException(
            "code must be 1000, 1001, 1008, 1011 or 3000-4999 (the codes a client may send), was "
                + code);
      }
      if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
        throw new IllegalArgumentException("reason must be at most 123 bytes of UTF-8");
      }
    }

    /** Closes normally (1000) with no reason. */
    public Close(ConnectionId connection) {
      this(connection, NORMAL_CLOSURE, "");
    }

    @Override
    public CommandId commandId() {
      return CLOSE;
    }
  }

  /**
   * Sends a ping frame with {@code data}. Completes with {@code true} once the frame is written;
   * the pong is read (and discarded) in order with the messages.
   *
   * @param connection the connection
   * @param data the ping's payload (copied), at most 125 bytes
   */
  @SuppressWarnings("ArrayRecordComponent") // copied in and out, never shared
  public record Ping(ConnectionId connection, byte[] data) implements Command<Boolean> {
    /** Validates and copies. */
    public Ping {
      requireNonNull(connection, "connection");
      data = requireNonNull(data, "data").clone();
      if (data.length > 125) {
        throw new IllegalArgumentException("data must be at most 125 bytes, was " + data.length);
      }
    }

    /** A ping with no payload. */
    public Ping(ConnectionId connection) {
      this(connection, new byte[0]);
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Ping that
          && connection.equals(that.connection)
          && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
      return 31 * connection.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Ping[connection=" + connection + ", " + data.length + " bytes]";
    }

    @Override
    public CommandId commandId() {
      return PING;
    }
  }

  /**
   * Relays every incoming message of the connection to the caller's mailbox on {@code topic}, as a
   * message whose payload is the {@link Text} or {@link Binary}, and finally the {@link Closed}
   * marker (or, if the connection failed, a {@link Closed} with {@link #CLOSED_ABNORMALLY} and the
   * failure). The next message is read only once the previous one is in the mailbox: a full mailbox
   * stops reading until it has room. Completes with {@code true}; fails with {@link
   * WebSocketReadConflictException} if the connection is already subscribed or a {@link Receive} is
   * pending on it.
   *
   * @param connection the connection
   * @param topic the mailbox topic, not empty, not starting with {@code @}
   */
  public record Subscribe(ConnectionId connection, String topic) implements Command<Boolean> {
    /** Validates. */
    public Subscribe {
      requireNonNull(connection, "connection");
      requireNonNull(topic, "topic");
      if (topic.isEmpty() || topic.startsWith("@")) {
        throw new IllegalArgumentException(
            "topic must be non-empty and must not start with '@' (reserved), was '" + topic + "'");
      }
    }

    @Override
    public CommandId commandId() {
      return SUBSCRIBE;
    }
  }

  /**
   * Stops relaying the connection's messages; {@link Receive} may be used again, and a message read
   * but not yet delivered is kept for it. Completes with {@code true} if the connection was
   * subscribed, {@code false} if not.
   *
   * @param connection the connection
   */
  public record Unsubscribe(ConnectionId connection) implements Command<Boolean> {
    /** Validates. */
    public Unsubscribe {
      requireNonNull(connection, "connection");
    }

    @Override
    public CommandId commandId() {
      return UNSUBSCRIBE;
    }
  }
}
