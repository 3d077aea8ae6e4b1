package dev.baton.modules.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a {@link Store.List}: entries in UTF-8 byte order of their keys. A page may hold
 * fewer entries than asked, even none, and still have more (it stopped at {@link
 * Store#LIST_PAGE_BYTES} of values, or after passing over many expired entries): read on while
 * {@link #hasMore()}.
 *
 * @param entries the page's entries, at most the command's limit
 * @param nextCursor the cursor for the next page (the last key this page covered), or null if there
 *     is no more
 * @param hasMore whether a next page may hold entries; when false the listing is done
 */
public record StorePage(List<StoreEntry> entries, @Nullable String nextCursor, boolean hasMore) {
  /** Copies the entries; a page with more has a cursor. */
  public StorePage {
    entries = List.copyOf(requireNonNull(entries, "entries"));
    if (hasMore && nextCursor == null) {
      throw new IllegalArgumentException("a page with more entries needs a next cursor");
    }
  }

  /** The keys of the page's entries, in order. */
  public List<String> keys() {
    return entries.stream().map(StoreEntry::key).toList();
  }
}
