package dev.baton.modules.stream;

import static dev.baton.testing.TestNode.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link StreamResource#writable(java.io.OutputStream)} over a real program's stdin. */
class ProcessPipeResourceTest {

  @Test
  void closingAStdinWhoseWriteBlocksOnAFullPipe_returnsAtOnce_andTheWriteFailsWhenTheProgramDies()
      throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "60").start(); // never reads its stdin
    try {
      StreamResource stdin = StreamResource.writable(sleeper.getOutputStream());
      CompletableFuture<Object> write = new CompletableFuture<>();
      Thread writer =
          Thread.ofPlatform()
              .name("blocked-writer")
              .start(
                  () -> {
                    try {
                      write.complete(stdin.write(ByteBuffer.wrap(new byte[1024 * 1024])));
                    } catch (IOException | RuntimeException e) {
                      write.complete(e);
                    }
                  });
      awaitCondition(
          "the write to block on the full pipe",
          () ->
              Arrays.stream(writer.getStackTrace())
                  .anyMatch(frame -> frame.getMethodName().equals("writeBytes")));

      CompletableFuture<Void> close =
          CompletableFuture.runAsync(
              () -> {
                try {
                  stdin.close();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });

      close.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS); // before: waited for the write
      assertThat(stdin.isOpen()).isFalse();
      assertThat(write).isNotDone();
      sleeper.destroyForcibly(); // as the owner's end does: the write fails, the close completes
      assertThat(write.get(TestNode.BOUND.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(IOException.class);
      writer.join();
    } finally {
      sleeper.destroyForcibly();
      sleeper.waitFor();
    }
  }
}
