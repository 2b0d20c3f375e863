/**
 * The operator Lambda function (Tributary's task manager): it runs the keyed part of a job on the
 * SDK's executor. Empty until the Lambda handlers issue lands.
 */
package dev.tributary.operator;
