/**
 * CDK constructs that deploy a Tributary job to AWS: {@link dev.tributary.cdk.StreamJob} and its
 * parts ({@link dev.tributary.cdk.JobTables}, {@link dev.tributary.cdk.CoordinatorFunction}, {@link
 * dev.tributary.cdk.OperatorFunction}, {@link dev.tributary.cdk.DeadLetters}, {@link
 * dev.tributary.cdk.JobMonitoring}), configured with {@link dev.tributary.cdk.StreamJobProps}.
 */
package dev.tributary.cdk;
