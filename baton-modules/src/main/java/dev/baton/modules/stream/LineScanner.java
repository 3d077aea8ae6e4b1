package dev.baton.modules.stream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A scanner's state: the bytes read ahead of the last token. Splitting works on bytes (every
 * delimiter is ASCII, which never occurs inside a multi-byte UTF-8 sequence), and a token is
 * decoded only when whole, so a character split across two reads decodes correctly.
 *
 * <p><b>Concurrency.</b> Queue-confined: {@link #scan} runs only as an operation of its stream's
 * queue, so scans of one scanner (and reads of its stream) never overlap.
 */
final class LineScanner {
  private static final byte[] NONE = new byte[0];

  final long id;
  final OpenStream stream;
  private final Streams.Split split;
  private final int readSize;
  private final int maxToken;

  private byte[] buffer;
  private int start;
  private int end;
  private boolean eof;
  private boolean tooLong;

  /** A token scanned for a caller that stopped waiting: the next scan returns it. */
  private Streams.@Nullable Token unscanned;

  LineScanner(long id, OpenStream stream, Streams.ScannerCreate create) {
    this.id = id;
    this.stream = stream;
    this.split = create.split();
    this.readSize = create.readSize();
    this.maxToken = create.maxTokenBytes();
    this.buffer = new byte[Math.min(readSize, 64 * 1024)];
  }

  /** Puts back a token nobody received. */
  void unscan(Streams.Token token) {
    unscanned = token;
  }

  /** The next token, reading as needed; blocks. */
  Streams.Token scan() throws IOException {
    Streams.Token pending = unscanned;
    if (pending != null) {
      unscanned = null;
      return pending;
    }
    if (tooLong) {
      throw new TokenTooLongException(id, maxToken);
    }
    while (true) {
      Streams.Token token = next();
      if (token != null) {
        return token;
      }
      if (eof) {
        return last();
      }
      if (end - start > maxToken) {
        tooLong = true;
        throw new TokenTooLongException(id, maxToken);
      }
      fill();
    }
  }

  /** A whole token from the buffer, or null if more bytes are needed. */
  private Streams.@Nullable Token next() {
    return switch (split) {
      case BYTES -> start < end ? take(start, start + 1, start + 1) : null;
      case LINES -> nextLine();
      case WORDS -> nextWord();
    };
  }

  private Streams.@Nullable Token nextLine() {
    for (int i = start; i < end; i++) {
      if (buffer[i] == '\n') {
        int stop = i > start && buffer[i - 1] == '\r' ? i - 1 : i;
        if (stop - start > maxToken) {
          tooLong = true;
          throw new TokenTooLongException(id, maxToken);
        }
        return take(start, stop, i + 1);
      }
    }
    return null;
  }

  private Streams.@Nullable Token nextWord() {
    while (start < end && isSpace(buffer[start])) {
      start++;
    }
    for (int i = start; i < end; i++) {
      if (isSpace(buffer[i])) {
        return take(start, i, i + 1);
      }
    }
    return null;
  }

  /** At the end: what is left is the last token (a line without newline, a last word). */
  private Streams.Token last() {
    if (start >= end) {
      return new Streams.Token(NONE, false);
    }
    int stop = split == Streams.Split.LINES && buffer[end - 1] == '\r' ? end - 1 : end;
    return take(start, stop, end);
  }

  private Streams.Token take(int from, int to, int nextStart) {
    Streams.Token token = new Streams.Token(Arrays.copyOfRange(buffer, from, to), true);
    start = nextStart;
    return token;
  }

  private void fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buffer, start, buffer, 0, end - start);
      end -= start;
      start = 0;
    }
    if (buffer.length - end < readSize) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, end + readSize));
    }
    int n = stream.read(ByteBuffer.wrap(buffer, end, readSize));
    if (n < 0) {
      eof = true;
    } else {
      end += n;
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
  }
}
