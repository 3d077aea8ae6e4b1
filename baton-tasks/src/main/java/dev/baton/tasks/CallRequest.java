package dev.baton.tasks;

import java.lang.reflect.Type;
import org.jspecify.annotations.Nullable;

/**
 * A call the engine has resolved: its key, options (countdown turned into an eta), the registered
 * task or the signature known from a stub, and the arguments as given.
 *
 * @param entry the task registered in this app, if any (a remote caller need not have one)
 * @param signature the types to encode and decode with: the registered or stub signature, else one
 *     inferred from the arguments and {@code returnType}
 * @param returnType what the caller asked the value to be decoded as, if it said
 * @param createdNanos when the call was made, on the time source's nano clock
 * @param trace the trace the call continues: its options' traceparent, else the calling task's
 *     {@link TaskContext#trace()}; {@code null} when neither is set, for a new trace made by the
 *     bridge (local mode makes it only when someone asks for it)
 */
@SuppressWarnings("ArrayRecordComponent") // the caller's arguments, passed on as given
record CallRequest(
    TaskKey key,
    TaskOptions options,
    @Nullable TaskEntry entry,
    TaskSignature signature,
    @Nullable Type returnType,
    @Nullable Object[] arguments,
    long createdNanos,
    @Nullable TraceParent trace) {

  String queue() {
    String queue = options.queue();
    return queue != null ? queue : key.name();
  }
}
