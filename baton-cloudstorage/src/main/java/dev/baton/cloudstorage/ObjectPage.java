package dev.baton.cloudstorage;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a {@link CloudStorage.List}: objects in ascending key order (UTF-8 byte order), and
 * the token to read the next page with. Immutable.
 *
 * @param objects this page's objects
 * @param nextContinuationToken the token for the next page, or null if this is the last
 */
public record ObjectPage(List<ObjectSummary> objects, @Nullable String nextContinuationToken) {
  /** Copies the list. */
  public ObjectPage {
    objects = List.copyOf(objects);
  }

  /** Whether another page follows ({@link #nextContinuationToken()} is set). */
  public boolean hasMore() {
    return nextContinuationToken != null;
  }

  /** The keys of this page's objects, in order. */
  public List<String> keys() {
    return objects.stream().map(ObjectSummary::key).toList();
  }
}
