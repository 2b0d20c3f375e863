/**
 * The event source mapping emulator: batches of a stream's records delivered to a function with AWS
 * Lambda's documented retry, bisect, partial-failure and record-age behaviour.
 */
package dev.tributary.local.esm;
