package dev.tributary.internal.exec;

/**
 * Supplies the namespace state handles read and write: the void namespace or the current window.
 */
@FunctionalInterface
interface NamespaceSource {
  Object current();
}
