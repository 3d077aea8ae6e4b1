package dev.baton.eval;

import dev.baton.dispatch.Dispatcher;
import dev.baton.testing.TestNode;
import java.time.Duration;
import java.util.concurrent.*;
import org.junit.jupiter.api.Test;

class TmpProbeTest {
  static Eval.Limits L =
      Eval.Limits.DEFAULT.withCpuTime(Duration.ofSeconds(1)).withWallTime(Duration.ofSeconds(2));

  void probe(TestNode node, EvalModule eval, String name, String src) {
    long t0 = System.nanoTime();
    ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
    Future<Object> f =
        ex.submit(
            () -> node.callInCoroutine(Eval.Run.of(src, null).withLimits(L).withModules("json")));
    String out;
    try {
      out = String.valueOf(f.get(8, TimeUnit.SECONDS));
    } catch (ExecutionException e) {
      Throwable c = java.util.Objects.requireNonNull(e.getCause());
      out = c.getClass().getName() + ": " + c.getMessage();
    } catch (TimeoutException e) {
      out = "HUNG (running=" + eval.runningScripts() + ")";
    } catch (Exception e) {
      out = e.toString();
    }
    System.out.println(
        "PROBE " + name + " -> " + out + " [" + (System.nanoTime() - t0) / 1_000_000 + "ms]");
  }

  @Test
  void probes() {
    EvalModule eval = EvalModule.builder().threads(4).build();
    try (TestNode node = TestNode.builder().component(Dispatcher.component(eval)).build()) {
      probe(node, eval, "globals", "Object.getOwnPropertyNames(globalThis).join(',')");
      probe(node, eval, "getterThrow", "throw { get name() { while(true){} }, message: 'x' }");
      probe(node, eval, "getterThrow2", "throw { get name() { throw 5 }, message: 'x' }");
      L = Eval.Limits.DEFAULT.withMaxAllocatedBytes(1 << 20);
      probe(node, eval, "quickAlloc", "new Float64Array(2**20).length");
      System.out.println("PROBE running at end " + eval.runningScripts());
    }
  }
}
