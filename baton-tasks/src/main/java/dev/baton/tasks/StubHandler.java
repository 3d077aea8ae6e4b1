package dev.baton.tasks;

import dev.baton.tasks.internal.ContractMethod;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The behaviour of a typed stub: each contract method calls its task through the engine and returns
 * the value (waiting), a future of it, or nothing. {@code Object}'s methods answer locally.
 */
final class StubHandler implements InvocationHandler {

  private final TaskEngine engine;
  private final Class<?> contract;
  private final Map<Method, ContractMethod> methods;
  private final @Nullable TaskOptions options;

  StubHandler(
      TaskEngine engine,
      Class<?> contract,
      Map<Method, ContractMethod> methods,
      @Nullable TaskOptions options) {
    this.engine = engine;
    this.contract = contract;
    this.methods = methods;
    this.options = options;
  }

  @Override
  public @Nullable Object invoke(Object proxy, Method method, @Nullable Object @Nullable [] args)
      throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return switch (method.getName()) {
        case "toString" -> "stub of " + contract.getName();
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> args != null && args.length == 1 && isSameProxy(proxy, args[0]);
        default -> throw new UnsupportedOperationException(method.toString());
      };
    }
    ContractMethod target = methods.get(method);
    if (target == null) {
      // A default method of the contract: run its own body on the stub.
      return InvocationHandler.invokeDefault(proxy, method, args);
    }
    @Nullable Object[] arguments = args == null ? new @Nullable Object[0] : args;
    Result<@Nullable Object> result =
        engine.call(target.taskName(), options, target.signature().returnType(), arguments);
    return switch (target.shape()) {
      case FUTURE -> result.toCompletableFuture();
      case VALUE -> awaitValue(result);
      case VOID -> {
        awaitValue(result);
        yield null;
      }
    };
  }

  @SuppressWarnings("ReferenceEquality") // a stub equals only itself
  private static boolean isSameProxy(Object proxy, @Nullable Object other) {
    return proxy == other;
  }

  private static @Nullable Object awaitValue(Result<@Nullable Object> result) {
    try {
      return result.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TaskFailedException(
          result.key(),
          new TaskError(
              ErrorCode.GENERIC,
              "the thread waiting for " + result.key() + " was interrupted; the call goes on"));
    }
  }
}
