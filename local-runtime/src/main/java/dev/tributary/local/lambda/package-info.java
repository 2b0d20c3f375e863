/** A local endpoint of the Lambda Invoke API, for local runs and tests of the functions. */
package dev.tributary.local.lambda;
