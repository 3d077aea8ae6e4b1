package dev.baton.sql;

/**
 * A command used a transaction (or a statement prepared in one) after it was committed or rolled
 * back. Begin a new transaction.
 */
public final class TransactionClosedException extends DatabaseException {
  private final long transaction;

  /**
   * @param database the transaction's database
   * @param transaction the transaction's handle number
   * @param how how it ended, for example {@code "committed"}
   */
  public TransactionClosedException(String database, long transaction, String how) {
    super(
        database,
        "transaction "
            + transaction
            + " on database '"
            + database
            + "' was already "
            + how
            + "; begin a new transaction",
        null);
    this.transaction = transaction;
  }

  /** The transaction's handle number. */
  public long transaction() {
    return transaction;
  }
}
