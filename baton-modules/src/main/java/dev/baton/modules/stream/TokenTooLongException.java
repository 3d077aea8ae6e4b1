package dev.baton.modules.stream;

import dev.baton.modules.ModuleException;

/**
 * {@link Streams.ScannerScan} found a token (a line, a word) longer than the scanner's maximum
 * without finding its end. The scanner is spent (every later scan fails the same way); read the
 * stream with Read instead, or create a scanner with a larger maximum.
 */
public final class TokenTooLongException extends ModuleException {
  private final int maxTokenBytes;

  /**
   * @param scanner the scanner's handle
   * @param maxTokenBytes its maximum token size
   */
  public TokenTooLongException(long scanner, int maxTokenBytes) {
    super(
        "scanner "
            + scanner
            + " found a token longer than its maximum of "
            + maxTokenBytes
            + " bytes: create the scanner with a larger maximum, or use stream.Read");
    this.maxTokenBytes = maxTokenBytes;
  }

  /** The scanner's maximum token size, in bytes. */
  public int maxTokenBytes() {
    return maxTokenBytes;
  }
}
