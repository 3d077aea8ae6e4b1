package dev.baton.workflow.spi;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A journaled value: its JSON text and the name of the Java type to read it back as.
 *
 * @param type the binary class name the value is read back as; null for a null value
 * @param json the value as JSON ({@code "null"} for a null value)
 */
public record Payload(@Nullable String type, String json) {
  /** The payload of a null value. */
  public static final Payload NULL = new Payload(null, "null");

  /** Checks the fields. */
  public Payload {
    requireNonNull(json, "json");
  }
}
