/**
 * Internals of the CDK constructs: the names the functions read, and validation. Not an API; may
 * change in any release.
 */
package dev.tributary.cdk.internal;
