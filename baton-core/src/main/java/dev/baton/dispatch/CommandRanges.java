package dev.baton.dispatch;

import java.util.List;
import java.util.Optional;

/**
 * The command id ranges of Baton's standard modules, as data.
 *
 * <p>Every Baton module reserves its range in the node's {@link CommandIdReservations}; because
 * this table is fixed, a user module that claims an id inside a standard range is refused even when
 * that standard module is not loaded, so adding the module later cannot break the node. Ids outside
 * these ranges are free: {@link #FUTURE_BATON_FIRST}..{@link #FUTURE_BATON_LAST} are kept for
 * future Baton modules but open to user modules, and custom ids from {@link CommandId#FIRST_CUSTOM}
 * up are recommended for user services.
 */
public final class CommandRanges {
  /** The first id kept for future Baton modules. */
  public static final int FUTURE_BATON_FIRST = 200;

  /** The last id kept for future Baton modules. */
  public static final int FUTURE_BATON_LAST = 255;

  /** The standard modules' ranges, in id order. */
  public static final List<CommandRange> STANDARD =
      List.of(
          CommandRange.of(
              "process",
              1,
              9,
              1,
              "Send",
              2,
              "Spawn",
              3,
              "Terminate",
              4,
              "Cancel",
              5,
              "Monitor",
              6,
              "Unmonitor",
              7,
              "Link",
              8,
              "Unlink",
              9,
              "Exec"),
          CommandRange.of(
              "clock",
              10,
              29,
              10,
              "Sleep",
              11,
              "TickerStart",
              12,
              "TickerStop",
              13,
              "TimerStart",
              14,
              "TimerWait",
              15,
              "TimerStop",
              16,
              "TimerReset"),
          CommandRange.of(
              "stream",
              50,
              59,
              50,
              "Read",
              51,
              "Write",
              52,
              "Close",
              53,
              "Seek",
              54,
              "Flush",
              55,
              "Stat",
              56,
              "ScannerCreate",
              57,
              "ScannerScan"),
          CommandRange.of("http", 60, 79, 60, "Request", 61, "RequestBatch"),
          CommandRange.of(
              "websocket",
              80,
              89,
              80,
              "Connect",
              81,
              "Send",
              82,
              "Receive",
              83,
              "Close",
              84,
              "Ping",
              85,
              "Subscribe"),
          CommandRange.of("event", 90, 99, 90, "Subscribe", 91, "Send", 92, "Unsubscribe"),
          CommandRange.of(
              "sql",
              100,
              119,
              100,
              "Query",
              101,
              "Execute",
              102,
              "Prepare",
              103,
              "Begin",
              104,
              "StmtQuery",
              105,
              "StmtExecute",
              106,
              "StmtClose",
              107,
              "TxQuery",
              108,
              "TxExecute",
              109,
              "TxPrepare",
              110,
              "TxCommit",
              111,
              "TxRollback"),
          CommandRange.of(
              "store", 120, 129, 120, "Get", 121, "Set", 122, "Delete", 123, "Has", 124, "Entry",
              125, "List", 126, "Put"),
          CommandRange.of(
              "security", 130, 139, 130, "ValidateToken", 131, "CreateToken", 132, "RevokeToken"),
          CommandRange.of("function", 140, 149, 140, "Call", 141, "AsyncStart", 142, "AsyncCancel"),
          CommandRange.of("exec", 150, 159, 150, "ProcessWait", 151, "Start", 152, "Kill"),
          CommandRange.of(
              "cloudstorage",
              160,
              169,
              160,
              "List",
              161,
              "Download",
              162,
              "Upload",
              163,
              "Delete",
              164,
              "PresignedGetUrl",
              165,
              "PresignedPutUrl",
              166,
              "Head"),
          CommandRange.of("eval", 170, 179, 170, "Compile", 171, "Run", 172, "CreateProcess"),
          CommandRange.of(
              "workflow",
              180,
              189,
              180,
              "SideEffect",
              181,
              "Call",
              182,
              "Version",
              183,
              "UpsertAttrs"),
          CommandRange.of(
              "contract",
              190,
              199,
              190,
              "Open",
              191,
              "Call",
              192,
              "AsyncCall",
              193,
              "AsyncCancel"));

  private CommandRanges() {}

  /** Returns the range of the standard module {@code module}, if it is one. */
  public static Optional<CommandRange> ofModule(String module) {
    return STANDARD.stream().filter(range -> range.module().equals(module)).findFirst();
  }

  /** Returns the standard range that contains {@code id}, if any does. */
  public static Optional<CommandRange> containing(CommandId id) {
    return STANDARD.stream().filter(range -> range.contains(id)).findFirst();
  }
}
