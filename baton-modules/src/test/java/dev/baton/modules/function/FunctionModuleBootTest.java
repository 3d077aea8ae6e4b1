package dev.baton.modules.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.boot.Component;
import dev.baton.boot.MissingDependencyException;
import dev.baton.testing.TestNode;
import org.junit.jupiter.api.Test;

/** Booting the function module without the task app it needs fails, saying what to add. */
class FunctionModuleBootTest {

  @Test
  void bootWithoutTheTasksComponent_failsNamingIt() {
    assertThatThrownBy(() -> TestNode.builder().dispatcher(new FunctionModule()).build())
        .isInstanceOfSatisfying(
            MissingDependencyException.class,
            e -> {
              assertThat(e.dependency()).isEqualTo(FunctionModule.TASKS_COMPONENT);
              assertThat(e).hasMessageContaining("add that component");
            });
  }

  @Test
  void bootWithATasksComponentThatSharesNoApp_failsSayingToAddTheTasksComponent() {
    Component empty = Component.named(FunctionModule.TASKS_COMPONENT).build();

    assertThatThrownBy(
            () -> TestNode.builder().dispatcher(new FunctionModule()).component(empty).build())
        .hasStackTraceContaining("TaskApp.KEY")
        .hasStackTraceContaining("add the 'tasks' component");
  }
}
