package dev.tributary.local.dynamodb.internal.expr;

import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; positions are kept for "near" in syntax errors. */
final class Lexer {
  enum Kind {
    NAME, // identifier
    NAME_PLACEHOLDER, // #name
    VALUE_PLACEHOLDER, // :value
    NUMBER, // list index
    SYMBOL, // ( ) , . [ ] = <> < <= > >= + -
    EOF
  }

  record Token(Kind kind, String text, int start, int end) {
    boolean is(String symbolOrKeyword) {
      return (kind == Kind.SYMBOL && text.equals(symbolOrKeyword))
          || (kind == Kind.NAME && text.equalsIgnoreCase(symbolOrKeyword));
    }
  }

  private Lexer() {}

  static List<Token> tokenize(String source, ExpressionException.Kind kind) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (c == '#' || c == ':') {
        i++;
        while (i < n && isNameChar(source.charAt(i))) {
          i++;
        }
        if (i == start + 1) {
          throw ExpressionException.syntax(kind, source, String.valueOf(c), start, i);
        }
        tokens.add(
            new Token(
                c == '#' ? Kind.NAME_PLACEHOLDER : Kind.VALUE_PLACEHOLDER,
                source.substring(start, i),
                start,
                i));
      } else if (Character.isDigit(c)) {
        while (i < n && isNameChar(source.charAt(i))) {
          i++;
        }
        String text = source.substring(start, i);
        tokens.add(
            new Token(
                text.chars().allMatch(Character::isDigit) ? Kind.NUMBER : Kind.NAME,
                text,
                start,
                i));
      } else if (isNameChar(c)) {
        while (i < n && isNameChar(source.charAt(i))) {
          i++;
        }
        tokens.add(new Token(Kind.NAME, source.substring(start, i), start, i));
      } else if (c == '<'
          && i + 1 < n
          && (source.charAt(i + 1) == '=' || source.charAt(i + 1) == '>')) {
        i += 2;
        tokens.add(new Token(Kind.SYMBOL, source.substring(start, i), start, i));
      } else if (c == '>' && i + 1 < n && source.charAt(i + 1) == '=') {
        i += 2;
        tokens.add(new Token(Kind.SYMBOL, ">=", start, i));
      } else if ("(),.[]=<>+-".indexOf(c) >= 0) {
        i++;
        tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), start, i));
      } else {
        throw ExpressionException.syntax(kind, source, String.valueOf(c), start, start + 1);
      }
    }
    tokens.add(new Token(Kind.EOF, "<EOF>", n, n));
    return tokens;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
