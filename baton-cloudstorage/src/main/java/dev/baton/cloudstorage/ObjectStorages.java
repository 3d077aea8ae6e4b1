package dev.baton.cloudstorage;

import static java.util.Objects.requireNonNull;

import dev.baton.boot.Component;
import dev.baton.boot.Key;
import dev.baton.cloudstorage.spi.ObjectStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's named object storages, shared under {@link #KEY}: the cloudstorage module resolves
 * each command's storage here. Immutable after construction, so thread-safe.
 *
 * <p>Boot it with {@link #local(Path)} (the embedded default: one {@value
 * CloudStorage#DEFAULT_STORAGE} storage on the local filesystem), {@link
 * #component(ObjectStorage...)} (storages you made) or {@link #component(Supplier)} (storages made
 * when the node loads). The component owns the storages: it closes them when the node stops.
 */
public final class ObjectStorages {
  /** The key the node shares its storages under. */
  public static final Key<ObjectStorages> KEY =
      Key.of("cloudstorage.storages", ObjectStorages.class);

  /** The name of the component that provides {@link #KEY}. */
  public static final String COMPONENT_NAME = "cloudstorage.storages";

  private static final Logger LOG = LoggerFactory.getLogger(ObjectStorages.class);

  private final Map<String, ObjectStorage> byName;

  /**
   * @param storages the storages, by their {@link ObjectStorage#name()}
   * @throws IllegalArgumentException if two have the same name
   */
  public ObjectStorages(List<? extends ObjectStorage> storages) {
    Map<String, ObjectStorage> map = new LinkedHashMap<>();
    for (ObjectStorage storage : storages) {
      requireNonNull(storage, "storage");
      if (map.putIfAbsent(storage.name(), storage) != null) {
        throw new IllegalArgumentException("two storages are named '" + storage.name() + "'");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /**
   * The storage called {@code name}.
   *
   * @throws StorageNotFoundException naming the storages there are, if there is none
   */
  public ObjectStorage require(String name) {
    ObjectStorage storage = byName.get(name);
    if (storage == null) {
      throw new StorageNotFoundException(name, byName.keySet());
    }
    return storage;
  }

  /** The storages' names, in the order given. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** Closes every storage, logging (not throwing) a failure, so each one gets closed. */
  void closeAll() {
    for (ObjectStorage storage : byName.values()) {
      try {
        storage.close();
      } catch (RuntimeException e) {
        LOG.warn("closing storage '{}' failed", storage.name(), e);
      }
    }
  }

  /**
   * A component providing one local-filesystem storage, {@value CloudStorage#DEFAULT_STORAGE},
   * under {@code root} (created when the node loads).
   */
  public static Component local(Path root) {
    requireNonNull(root, "root");
    return component(() -> List.of(LocalObjectStorage.open(root)));
  }

  /** A component providing {@code storages}, which it closes when the node stops. */
  public static Component component(ObjectStorage... storages) {
    List<ObjectStorage> given = List.of(storages);
    return component(() -> given);
  }

  /**
   * A component providing the storages {@code factory} makes when the node loads; it closes them
   * when the node stops.
   */
  public static Component component(Supplier<? extends List<? extends ObjectStorage>> factory) {
    requireNonNull(factory, "factory");
    AtomicReference<@Nullable ObjectStorages> loaded = new AtomicReference<>();
    return Component.named(COMPONENT_NAME)
        .onLoad(
            context -> {
              ObjectStorages storages = new ObjectStorages(new ArrayList<>(factory.get()));
              loaded.set(storages);
              return context.with(KEY, storages);
            })
        .onStop(
            context -> {
              ObjectStorages storages = loaded.getAndSet(null);
              if (storages != null) {
                storages.closeAll();
              }
            })
        .build();
  }
}
