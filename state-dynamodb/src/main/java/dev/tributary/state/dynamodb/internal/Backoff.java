package dev.tributary.state.dynamodb.internal;

/**
 * The wait before a retry against DynamoDB: exponential backoff with "equal jitter", as AWS's
 * architecture blog names it. The delay doubles from a first value up to a cap; half of it is fixed
 * and half drawn at random (from {@link Uniques}, so that SnapStart copies restored from one
 * snapshot draw differently), so that runners that failed together do not all retry together, and
 * none retries at once.
 */
public final class Backoff {
  private Backoff() {}

  /**
   * Sleeps before retry {@code round} ({@code 0} the first): between half and all of {@code
   * firstMillis × 2^round}, at most {@code capMillis}.
   *
   * @param doing what the caller was doing, for the error when the thread is interrupted (for
   *     example {@code "starting a slot count"})
   * @throws IllegalStateException when interrupted; the thread's interrupt flag is set again
   */
  public static void pause(long firstMillis, int round, long capMillis, String doing) {
    long base = Math.min(capMillis, firstMillis << Math.min(Math.max(round, 0), 20));
    try {
      Thread.sleep(base / 2 + Uniques.next(0, base - base / 2 + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + doing, e);
    }
  }
}
