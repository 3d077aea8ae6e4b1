package dev.baton.modules.store;

import dev.baton.dispatch.CommandId;

/** The store module's commands and their ids (DESIGN.md's table). */
public final class Store {
  /** The id of {@link Get}. */
  public static final CommandId GET = CommandId.of(120);

  /** The id of {@link Set}. */
  public static final CommandId SET = CommandId.of(121);

  /** The id of {@link Delete}. */
  public static final CommandId DELETE = CommandId.of(122);

  /** The id of {@link Has}. */
  public static final CommandId HAS = CommandId.of(123);

  /** The id of {@link Entry}. */
  public static final CommandId ENTRY = CommandId.of(124);

  /** The id of {@link List}. */
  public static final CommandId LIST = CommandId.of(125);

  /** The id of {@link Put}. */
  public static final CommandId PUT = CommandId.of(126);

  private Store() {}
}
