package dev.baton.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandRangesTest {

  @Test
  void standardRanges_areInIdOrder_doNotOverlap_andStayBelowTheFutureBatonBlock() {
    List<CommandRange> ranges = CommandRanges.STANDARD;
    for (int i = 1; i < ranges.size(); i++) {
      assertThat(ranges.get(i).first()).isGreaterThan(ranges.get(i - 1).last());
    }
    assertThat(ranges.getLast().last()).isLessThan(CommandRanges.FUTURE_BATON_FIRST);
  }

  @Test
  void standardRanges_matchTheDesignTable() {
    assertThat(CommandRanges.STANDARD)
        .extracting(range -> range.module() + " " + range.first() + "-" + range.last())
        .containsExactly(
            "process 1-9",
            "clock 10-29",
            "stream 50-59",
            "http 60-79",
            "websocket 80-89",
            "event 90-99",
            "sql 100-119",
            "store 120-129",
            "security 130-139",
            "function 140-149",
            "exec 150-159",
            "cloudstorage 160-169",
            "eval 170-179",
            "workflow 180-189",
            "contract 190-199");
  }

  @Test
  void commandNames_followBatonsNumbering() {
    CommandRange exec = CommandRanges.ofModule("exec").orElseThrow();
    assertThat(exec.commands())
        .containsExactly(
            Map.entry(150, "ProcessWait"), Map.entry(151, "Start"), Map.entry(152, "Kill"));
    assertThat(CommandRanges.ofModule("store").orElseThrow().commandName(CommandId.of(126)))
        .contains("Put");
    assertThat(CommandRanges.ofModule("sql").orElseThrow().commands()).hasSize(12);
  }

  @Test
  void containing_findsTheOwningRange_orNothingOutsideTheTable() {
    assertThat(CommandRanges.containing(CommandId.of(75)).orElseThrow().module()).isEqualTo("http");
    assertThat(CommandRanges.containing(CommandId.of(40))).isEmpty();
    assertThat(CommandRanges.containing(CommandId.of(300))).isEmpty();
  }
}
