/**
 * The coordinator Lambda function (Tributary's job manager): it runs the stateless prefix of a job
 * and fans keyed records out to operator functions. Empty until the Lambda handlers issue lands.
 */
package dev.tributary.coordinator;
