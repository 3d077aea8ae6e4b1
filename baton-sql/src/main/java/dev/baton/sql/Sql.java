package dev.baton.sql;

import dev.baton.dispatch.CommandId;

/** The sql module's commands and their ids (DESIGN.md's table). */
public final class Sql {
  /** The id of {@code Query}. */
  public static final CommandId QUERY = CommandId.of(100);

  /** The id of {@code Execute}. */
  public static final CommandId EXECUTE = CommandId.of(101);

  /** The id of {@code Prepare}. */
  public static final CommandId PREPARE = CommandId.of(102);

  /** The id of {@code Begin}. */
  public static final CommandId BEGIN = CommandId.of(103);

  /** The id of {@code StmtQuery}. */
  public static final CommandId STMT_QUERY = CommandId.of(104);

  /** The id of {@code StmtExecute}. */
  public static final CommandId STMT_EXECUTE = CommandId.of(105);

  /** The id of {@code StmtClose}. */
  public static final CommandId STMT_CLOSE = CommandId.of(106);

  /** The id of {@code TxQuery}. */
  public static final CommandId TX_QUERY = CommandId.of(107);

  /** The id of {@code TxExecute}. */
  public static final CommandId TX_EXECUTE = CommandId.of(108);

  /** The id of {@code TxPrepare}. */
  public static final CommandId TX_PREPARE = CommandId.of(109);

  /** The id of {@code TxCommit}. */
  public static final CommandId TX_COMMIT = CommandId.of(110);

  /** The id of {@code TxRollback}. */
  public static final CommandId TX_ROLLBACK = CommandId.of(111);

  private Sql() {}
}
