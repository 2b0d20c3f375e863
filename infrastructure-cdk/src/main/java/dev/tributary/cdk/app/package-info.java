/** The CDK app of infrastructure-cdk: deploys the example job, or yours, with {@code StreamJob}. */
package dev.tributary.cdk.app;
