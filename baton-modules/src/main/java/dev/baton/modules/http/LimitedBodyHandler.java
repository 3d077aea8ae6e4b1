package dev.baton.modules.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Supplier;

/**
 * Reads a body into memory up to a limit. Over the limit (by Content-Length or by the bytes seen)
 * the subscription is cancelled, so the client stops reading and discards the connection, and the
 * body fails with the exception {@code tooLarge} makes. The client calls a subscriber's methods
 * serially (reactive-streams rule), so the buffer needs no lock.
 */
final class LimitedBodyHandler implements HttpResponse.BodyHandler<byte[]> {
  private final long limit;
  private final Supplier<ResponseTooLargeException> tooLarge;

  LimitedBodyHandler(long limit, Supplier<ResponseTooLargeException> tooLarge) {
    this.limit = limit;
    this.tooLarge = tooLarge;
  }

  @Override
  public HttpResponse.BodySubscriber<byte[]> apply(HttpResponse.ResponseInfo info) {
    long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
    return new Subscriber(declared > limit);
  }

  private final class Subscriber implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final boolean declaredTooLarge;
    private Flow.@org.jspecify.annotations.Nullable Subscription subscription;

    Subscriber(boolean declaredTooLarge) {
      this.declaredTooLarge = declaredTooLarge;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (declaredTooLarge) {
        subscription.cancel();
        result.completeExceptionally(tooLarge.get());
      } else {
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        if (buffer.size() + (long) item.remaining() > limit) {
          if (subscription != null) {
            subscription.cancel();
          }
          result.completeExceptionally(tooLarge.get());
          return;
        }
        byte[] bytes = new byte[item.remaining()];
        item.get(bytes);
        buffer.writeBytes(bytes);
      }
    }

    @Override
    public void onError(Throwable error) {
      result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
