/** End-to-end tests of whole jobs on the local stack. Empty until the local stack issue lands. */
package dev.tributary.e2e;
