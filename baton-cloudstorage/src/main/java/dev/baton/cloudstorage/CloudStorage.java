package dev.baton.cloudstorage;

import dev.baton.dispatch.CommandId;

/** The cloudstorage module's commands and their ids (DESIGN.md's table). */
public final class CloudStorage {
  /** The id of {@code List}. */
  public static final CommandId LIST = CommandId.of(160);

  /** The id of {@code Download}. */
  public static final CommandId DOWNLOAD = CommandId.of(161);

  /** The id of {@code Upload}. */
  public static final CommandId UPLOAD = CommandId.of(162);

  /** The id of {@code Delete}. */
  public static final CommandId DELETE = CommandId.of(163);

  /** The id of {@code PresignedGetUrl}. */
  public static final CommandId PRESIGNED_GET_URL = CommandId.of(164);

  /** The id of {@code PresignedPutUrl}. */
  public static final CommandId PRESIGNED_PUT_URL = CommandId.of(165);

  /** The id of {@code Head}. */
  public static final CommandId HEAD = CommandId.of(166);

  private CloudStorage() {}
}
