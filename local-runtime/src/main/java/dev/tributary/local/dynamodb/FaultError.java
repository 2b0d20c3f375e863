package dev.tributary.local.dynamodb;

/** The errors a {@link FaultRule} can inject, each answered as DynamoDB would. */
public enum FaultError {
  /**
   * A concurrent transaction on the item: TransactWriteItems is cancelled with the reason {@code
   * TransactionConflict} on the matching action; other writes get TransactionConflictException.
   */
  TRANSACTION_CONFLICT,
  /** ProvisionedThroughputExceededException (400, retried by the SDKs). */
  PROVISIONED_THROUGHPUT_EXCEEDED,
  /** ThrottlingException (400, retried by the SDKs). */
  THROTTLING,
  /** RequestLimitExceeded (400, retried by the SDKs). */
  REQUEST_LIMIT_EXCEEDED,
  /** InternalServerError (500, retried by the SDKs). */
  INTERNAL_SERVER_ERROR,
  /** AccessDeniedException (400, not retried): the caller's IAM policy lacks the action. */
  ACCESS_DENIED,
  /**
   * TransactionInProgressException (400): a TransactWriteItems whose ClientRequestToken belongs to
   * a transaction DynamoDB is still running, as a retry after a client-side timeout can meet.
   */
  TRANSACTION_IN_PROGRESS
}
