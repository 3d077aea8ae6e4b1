package dev.baton.contract;

import java.util.Collection;
import java.util.List;

/**
 * {@link Contracts.Call} or {@link Contracts.AsyncCall} named a method its instance's interface
 * does not have (or an overloaded method by its Java name, which is ambiguous: overloads are called
 * by their {@link dev.baton.tasks.TaskName}).
 */
public final class MethodNotFoundException extends ContractException {
  private final String contract;
  private final String method;
  private final List<String> candidates;

  /**
   * @param contract the interface's name
   * @param method the name the command gave
   * @param candidates the names it could have given, sorted
   * @param why what was wrong with it, completing the message
   */
  public MethodNotFoundException(
      String contract, String method, Collection<String> candidates, String why) {
    super(
        "interface "
            + contract
            + " has no method '"
            + method
            + "' to call: "
            + why
            + "; its methods are called "
            + candidates.stream().sorted().toList());
    this.contract = contract;
    this.method = method;
    this.candidates = candidates.stream().sorted().toList();
  }

  /** The interface's name. */
  public String contract() {
    return contract;
  }

  /** The method name the command gave. */
  public String method() {
    return method;
  }

  /** The names the interface's methods can be called by, sorted. */
  public List<String> candidates() {
    return candidates;
  }
}
