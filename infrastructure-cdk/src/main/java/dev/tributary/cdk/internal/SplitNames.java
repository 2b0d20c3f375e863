package dev.tributary.cdk.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awscdk.Token;

/**
 * The split names of {@link FunctionEnvironment#SPLITS}: their checks, and the room they take in
 * the functions' environment, which Lambda limits to 4 KB for all variables together.
 */
public final class SplitNames {
  /**
   * The most characters {@link FunctionEnvironment#SPLITS} may take: Lambda's 4 KB of environment
   * for all variables, less 1 KB for the other variables (table names, the operator's ARN, the
   * variables' names).
   */
  public static final int MAX_LENGTH = 3072;

  /**
   * What an unresolved token (a name CloudFormation chooses, e.g. a new stream's) counts for in
   * {@link #length}: the longest Kinesis stream name.
   */
  public static final int TOKEN_LENGTH = 128;

  /** A token in a string, as CDK encodes it ({@code ${Token[Name.123]}}). */
  private static final Pattern ENCODED_TOKEN = Pattern.compile("\\$\\{Token\\[[^\\]]*\\]\\}");

  private SplitNames() {}

  /**
   * The length of {@code names} joined with commas, each unresolved token counted as {@link
   * #TOKEN_LENGTH} characters.
   */
  public static int length(List<String> names) {
    int length = Math.max(0, names.size() - 1);
    for (String name : names) {
      length += length(name);
    }
    return length;
  }

  /** The length of {@code s}, each unresolved token in it counted as {@link #TOKEN_LENGTH}. */
  public static int length(String s) {
    if (!Token.isUnresolved(s)) {
      return s.length();
    }
    Matcher tokens = ENCODED_TOKEN.matcher(s);
    int length = s.length();
    while (tokens.find()) {
      length += TOKEN_LENGTH - (tokens.end() - tokens.start());
    }
    return length;
  }

  /**
   * Adds a problem for each blank name, name with a comma or repeated name in {@code names}, and
   * one if they take more than {@link #MAX_LENGTH} characters together.
   *
   * @param field the field that declares the names, e.g. {@code splits}
   * @param fix what to do when they are too long
   */
  public static void check(Problems problems, String field, List<String> names, String fix) {
    if (names.isEmpty()) {
      problems.add(
          field
              + " is empty; list the source's splits at the job's start (Kafka <topic>-<partition>,"
              + " Kinesis <stream name>/<shard id>), or leave it unset");
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || name.isBlank()) {
        problems.add(
            field
                + " has a blank name at index "
                + i
                + "; every split needs its name, e.g. clicks-0 or clicks/shardId-000000000000");
      } else if (name.contains(",")) {
        problems.add(
            field
                + " has '"
                + name
                + "'; a split name cannot contain ',' ("
                + FunctionEnvironment.SPLITS
                + " is a comma-separated list): give each split as an element of its own");
      } else if (!seen.add(name)) {
        problems.add(field + " has '" + name + "' twice; list each split once");
      }
    }
    checkLength(problems, field, names.stream().map(n -> n == null ? "" : n).toList(), fix);
  }

  /**
   * Adds a problem if {@code names} take more than {@link #MAX_LENGTH} characters together.
   *
   * @param field the field that declares the names, e.g. {@code source.shardIds}
   * @param fix what to do then
   */
  public static void checkLength(Problems problems, String field, List<String> names, String fix) {
    int length = length(names);
    if (length > MAX_LENGTH) {
      problems.add(
          field
              + " would take "
              + length
              + " characters of the functions' environment as "
              + FunctionEnvironment.SPLITS
              + " (a name CloudFormation chooses counted as "
              + TOKEN_LENGTH
              + "), where Lambda allows 4 KB for all variables: at most "
              + MAX_LENGTH
              + " for the splits. "
              + fix);
    }
  }
}
