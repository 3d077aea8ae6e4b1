package dev.baton.boot;

import java.util.List;

/** A {@link Component} made of functions by {@link Component.Builder}. */
record FunctionalComponent(
    String name,
    List<String> dependsOn,
    Component.LoadAction loadAction,
    Component.LifecycleAction startAction,
    Component.LifecycleAction stopAction)
    implements Component {

  @Override
  public AppContext load(AppContext context) throws Exception {
    return loadAction.load(context);
  }

  @Override
  public void start(AppContext context) throws Exception {
    startAction.run(context);
  }

  @Override
  public void stop(AppContext context) throws Exception {
    stopAction.run(context);
  }

  @Override
  public String toString() {
    return "Component[" + name + ", dependsOn=" + dependsOn + "]";
  }
}
