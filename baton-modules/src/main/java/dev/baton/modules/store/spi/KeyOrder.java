package dev.baton.modules.store.spi;

import java.util.Comparator;

/**
 * The order of store keys in listings: the unsigned order of their UTF-8 bytes, which is Unicode
 * code point order. It differs from {@link String#compareTo} (UTF-16 code unit order) only for
 * characters above U+FFFF against U+E000..U+FFFF: UTF-16 puts the surrogate pair first, UTF-8 (and
 * Redis's byte-wise lexicographic order) puts it last. Upper case sorts before lower case ('B' &lt;
 * 'a'), as in their bytes.
 */
public final class KeyOrder {
  /** Compares well-formed strings by their UTF-8 bytes without encoding them. Thread-safe. */
  public static final Comparator<String> UTF8 = KeyOrder::compare;

  private KeyOrder() {}

  /** Compares {@code a} and {@code b} by their UTF-8 bytes. */
  public static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        // Surrogates (D800..DFFF) encode code points above FFFF: move them above E000..FFFF.
        if (x >= 0xD800 && y >= 0xD800) {
          return fix(x) - fix(y);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }

  private static int fix(char c) {
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}
