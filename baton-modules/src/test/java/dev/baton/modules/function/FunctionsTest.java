package dev.baton.modules.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.modules.function.Functions.AsyncCallId;
import dev.baton.modules.function.Functions.AsyncCancel;
import dev.baton.modules.function.Functions.AsyncStart;
import dev.baton.modules.function.Functions.Call;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The commands' own checks and defaults. */
class FunctionsTest {

  @Test
  void commands_carryTheirIdsFromTheTable() {
    assertThat(Call.of("t").commandId().value()).isEqualTo(140);
    assertThat(AsyncStart.of("out", "t").commandId().value()).isEqualTo(141);
    assertThat(new AsyncCancel(new AsyncCallId(1)).commandId().value()).isEqualTo(142);
  }

  @Test
  @SuppressWarnings("NullAway") // NullAway infers ArrayList<Object> for a list that holds a null
  void call_keepsNullArguments_andCopiesTheList() {
    List<@Nullable Object> arguments = new ArrayList<>(Arrays.asList(1, null));
    Call<Object> call = new Call<>("t", arguments, null, null);
    arguments.add(3);

    assertThat(call.arguments()).containsExactly(1, null);
    assertThatThrownBy(() -> call.arguments().add(4))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  @SuppressWarnings("NullAway") // passes null on purpose
  void call_refusesABlankOrNullTask() {
    assertThatThrownBy(() -> Call.of(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("task");
    assertThatThrownBy(() -> new Call<>(null, List.of(), null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("task");
  }

  @Test
  void asyncStart_refusesABlankOrReservedTopic() {
    assertThatThrownBy(() -> AsyncStart.of("", "t")).hasMessageContaining("topic");
    assertThatThrownBy(() -> AsyncStart.of("@exit", "t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void asyncCallId_mustBePositive() {
    assertThatThrownBy(() -> new AsyncCallId(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
