/**
 * Child processes of the local stack (Node.js tools), started in their own directory and stopped by
 * pid, see {@link dev.tributary.local.process.LocalProcess}.
 */
package dev.tributary.local.process;
