/** CDK constructs that deploy a Tributary job. Empty until the CDK issue lands. */
package dev.tributary.cdk;
