package dev.baton.dispatch;

import static java.util.Map.entry;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

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
          range(
              "process",
              1,
              9,
              entry(1, "Send"),
              entry(2, "Spawn"),
              entry(3, "Terminate"),
              entry(4, "Cancel"),
              entry(5, "Monitor"),
              entry(6, "Unmonitor"),
              entry(7, "Link"),
              entry(8, "Unlink"),
              entry(9, "Exec")),
          range(
              "clock",
              10,
              29,
              entry(10, "Sleep"),
              entry(11, "TickerStart"),
              entry(12, "TickerStop"),
              entry(13, "TimerStart"),
              entry(14, "TimerWait"),
              entry(15, "TimerStop"),
              entry(16, "TimerReset")),
          range(
              "stream",
              50,
              59,
              entry(50, "Read"),
              entry(51, "Write"),
              entry(52, "Close"),
              entry(53, "Seek"),
              entry(54, "Flush"),
              entry(55, "Stat"),
              entry(56, "ScannerCreate"),
              entry(57, "ScannerScan"),
              entry(58, "OpenFile"),
              entry(59, "Connect")),
          range("http", 60, 79, entry(60, "Request"), entry(61, "RequestBatch")),
          range(
              "websocket",
              80,
              89,
              entry(80, "Connect"),
              entry(81, "Send"),
              entry(82, "Receive"),
              entry(83, "Close"),
              entry(84, "Ping"),
              entry(85, "Subscribe"),
              entry(86, "Unsubscribe")),
          range(
              "event", 90, 99, entry(90, "Subscribe"), entry(91, "Send"), entry(92, "Unsubscribe")),
          range(
              "sql",
              100,
              119,
              entry(100, "Query"),
              entry(101, "Execute"),
              entry(102, "Prepare"),
              entry(103, "Begin"),
              entry(104, "StmtQuery"),
              entry(105, "StmtExecute"),
              entry(106, "StmtClose"),
              entry(107, "TxQuery"),
              entry(108, "TxExecute"),
              entry(109, "TxPrepare"),
              entry(110, "TxCommit"),
              entry(111, "TxRollback")),
          range(
              "store",
              120,
              129,
              entry(120, "Get"),
              entry(121, "Set"),
              entry(122, "Delete"),
              entry(123, "Has"),
              entry(124, "Entry"),
              entry(125, "List"),
              entry(126, "Put")),
          range(
              "security",
              130,
              139,
              entry(130, "ValidateToken"),
              entry(131, "CreateToken"),
              entry(132, "RevokeToken")),
          range(
              "function",
              140,
              149,
              entry(140, "Call"),
              entry(141, "AsyncStart"),
              entry(142, "AsyncCancel")),
          range(
              "exec", 150, 159, entry(150, "ProcessWait"), entry(151, "Start"), entry(152, "Kill")),
          range(
              "cloudstorage",
              160,
              169,
              entry(160, "List"),
              entry(161, "Download"),
              entry(162, "Upload"),
              entry(163, "Delete"),
              entry(164, "PresignedGetUrl"),
              entry(165, "PresignedPutUrl"),
              entry(166, "Head")),
          range(
              "eval",
              170,
              179,
              entry(170, "Compile"),
              entry(171, "Run"),
              entry(172, "CreateProcess")),
          range(
              "workflow",
              180,
              189,
              entry(180, "SideEffect"),
              entry(181, "Call"),
              entry(182, "Version"),
              entry(183, "UpsertAttrs")),
          range(
              "contract",
              190,
              199,
              entry(190, "Open"),
              entry(191, "Call"),
              entry(192, "AsyncCall"),
              entry(193, "AsyncCancel"),
              entry(194, "Close")));

  private CommandRanges() {}

  @SafeVarargs
  private static CommandRange range(
      String module, int first, int last, Map.Entry<Integer, String>... commands) {
    TreeMap<Integer, String> byId = new TreeMap<>();
    for (Map.Entry<Integer, String> command : commands) {
      if (byId.put(command.getKey(), command.getValue()) != null) {
        throw new IllegalArgumentException("command id " + command.getKey() + " named twice");
      }
    }
    return new CommandRange(module, first, last, byId);
  }

  /** Returns the range of the standard module {@code module}, if it is one. */
  public static Optional<CommandRange> ofModule(String module) {
    return STANDARD.stream().filter(range -> range.module().equals(module)).findFirst();
  }

  /** Returns the standard range that contains {@code id}, if any does. */
  public static Optional<CommandRange> containing(CommandId id) {
    return STANDARD.stream().filter(range -> range.contains(id)).findFirst();
  }
}
