package dev.tributary.local.dynamodb.internal.storage;

/**
 * A key attribute: its name and scalar type (S, N or B).
 *
 * @param name the attribute name
 * @param type S, N or B
 */
public record KeyAttribute(String name, String type) {}
