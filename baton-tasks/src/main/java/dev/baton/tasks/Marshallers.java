package dev.baton.tasks;

/**
 * Ids of the built-in marshallers (0–3, as in the seed) and where user ids start. Ids travel in
 * every envelope, so callers and workers must agree on them.
 */
public final class Marshallers {

  /** The default: {@link #JSON_TYPED}. */
  public static final int DEFAULT = 0;

  /**
   * The whole argument list as one JSON array, decoded to JSON's own types and then corrected to
   * the declared types (numbers to {@code int}/{@code long}, objects to records and POJOs).
   */
  public static final int JSON = 1;

  /** Jackson's binary Smile format, decoded straight into the declared types. */
  public static final int SMILE = 2;

  /** Each argument a separate JSON value decoded straight into its declared type (the default). */
  public static final int JSON_TYPED = 3;

  /** The smallest id a user marshaller may take. */
  public static final int FIRST_USER_ID = 100;

  private Marshallers() {}
}
