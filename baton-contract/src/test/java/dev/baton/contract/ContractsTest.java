package dev.baton.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.contract.Contracts.AsyncCall;
import dev.baton.contract.Contracts.AsyncCallId;
import dev.baton.contract.Contracts.Call;
import dev.baton.contract.Contracts.ContractOutcome;
import dev.baton.contract.Contracts.InstanceId;
import dev.baton.contract.Contracts.Open;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command records' validation and the binding rules, without a node. */
class ContractsTest {

  private final InstanceId instance = new InstanceId(1);
  private final Counter counter = new TestImpls.CountingInstance(0, new Blocker());

  @Test
  void commandsRefuseMissingOrBlankFields_namingThem() {
    assertThatThrownBy(() -> Open.of(" ")).hasMessageContaining("bindingId");
    assertThatThrownBy(() -> Call.of(instance, "")).hasMessageContaining("method");
    assertThatThrownBy(() -> AsyncCall.of(" ", instance, "add"))
        .hasMessageContaining("topic must not be blank");
    assertThatThrownBy(() -> AsyncCall.of("@exit", instance, "add"))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> new InstanceId(0)).hasMessageContaining("positive");
    assertThatThrownBy(() -> new AsyncCallId(-1)).hasMessageContaining("positive");
    assertThatThrownBy(
            () -> new ContractOutcome(new AsyncCallId(1), 1, new IllegalStateException()))
        .hasMessageContaining("not both");
  }

  @Test
  void commandsCopyTheirArgumentsAndValues_keepingNullArguments() {
    List<Object> arguments = new ArrayList<>();
    arguments.add(null);
    Call<Object> call = new Call<>(instance, "note", arguments, Object.class);
    arguments.add("later");
    Map<String, Object> values = new HashMap<>(Map.of("a", 1));
    Open open = new Open("counter", values);
    values.put("b", 2);

    assertThat(call.arguments()).hasSize(1).containsNull();
    assertThat(open.values()).containsOnlyKeys("a");
  }

  @Test
  void aBindingNamesItsMethods_asTheStubsDo() {
    Binding binding = Binding.remote("calc", Calculator.class);

    assertThat(binding.methodNames())
        .contains("add", "Calculator.add", "Calculator.sum2", "Calculator.sum3", "later")
        .doesNotContain("sum");
    assertThat(binding.isRemote()).isTrue();
    assertThat(binding.contract()).isEqualTo(Calculator.class);
  }

  @Test
  void aLocalBindingRefusesAnInterfaceItCannotCallByReflection_aRemoteOneTakesIt() {
    @SuppressWarnings("UnusedMethod") // read by reflection
    interface Hidden {
      int f(int a);
    }
    Hidden hidden = a -> a;

    assertThatThrownBy(() -> Binding.shared("h", Hidden.class, hidden))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be public");
    assertThatThrownBy(() -> Binding.perInstance("h", Hidden.class, values -> hidden))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be public");
    assertThat(Binding.remote("h", Hidden.class).methodNames()).contains("f", "Hidden.f");
  }

  @Test
  void bindingsRefuseNonInterfacesAndDuplicateIds() {
    assertThatThrownBy(() -> Binding.remote("s", String.class))
        .hasMessageContaining("not an interface");
    assertThatThrownBy(
            () ->
                new Bindings(
                    List.of(
                        Binding.shared("x", Counter.class, counter),
                        Binding.shared("x", Counter.class, counter)),
                    null))
        .hasMessageContaining("two bindings have the id 'x'");
    assertThatThrownBy(() -> new Bindings(List.of(Binding.remote("x", Counter.class)), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("add the 'tasks' component");
  }
}
