package dev.tributary.local.dynamodb.internal.expr;

import dev.tributary.local.dynamodb.internal.expr.ExpressionException.Kind;
import dev.tributary.local.dynamodb.internal.expr.Lexer.Token;
import dev.tributary.local.dynamodb.internal.model.DynamoException;
import dev.tributary.local.dynamodb.internal.model.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One recursive-descent parser for every DynamoDB expression: condition, filter and key-condition
 * expressions (precedence: comparisons, NOT, AND, OR), update expressions (SET, REMOVE, ADD,
 * DELETE) and projection expressions. A syntax error fails at once; semantic errors (undefined
 * placeholders, reserved words, wrong operand types...) are collected and the most important one is
 * reported, in the order DynamoDB uses.
 */
public final class Parser {
  private static final Set<String> CONDITION_FUNCTIONS =
      Set.of(
          "attribute_exists",
          "attribute_not_exists",
          "attribute_type",
          "begins_with",
          "contains",
          "size");
  private static final Set<String> COMPARATORS = Set.of("=", "<>", "<", "<=", ">", ">=");
  private static final Set<String> TYPES =
      Set.of("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS");
  private static final List<String> CONDITION_ORDER =
      List.of(
          "parens",
          "unknownFunction",
          "misusedFunction",
          "reserved",
          "attrNameVal",
          "operand",
          "distinct",
          "function");
  private static final List<String> UPDATE_ORDER =
      List.of(
          "reserved",
          "unknownFunction",
          "section",
          "attrName",
          "attrVal",
          "pathOverlap",
          "pathConflict",
          "operand",
          "function");
  private static final List<String> PROJECTION_ORDER =
      List.of("reserved", "attrNameVal", "pathOverlap", "pathConflict");

  /** A function call while parsing; only size() survives as an operand. */
  private record Call(String name, List<Operand> args) implements OperandOrCall {}

  private sealed interface OperandOrCall permits Call, Wrapped {}

  private record Wrapped(Operand operand) implements OperandOrCall {}

  private final String source;
  private final Kind kind;
  private final Placeholders placeholders;
  private final List<Token> tokens;
  private final Map<String, String> errors = new HashMap<>();
  private int pos;

  /** The token span [open, after close) of the parenthesized condition parsed last. */
  private final int[] lastParenthesized = {-1, -1};

  private Parser(String source, Kind kind, Placeholders placeholders) {
    this.source = source;
    this.kind = kind;
    this.placeholders = placeholders;
    if (source.isBlank()) {
      throw ExpressionException.invalid(kind, "The expression can not be empty;");
    }
    this.tokens = Lexer.tokenize(source, kind);
  }

  /** Parses a condition, filter or key-condition expression. */
  public static Condition condition(String source, Kind kind, Placeholders placeholders) {
    Parser p = new Parser(source, kind, placeholders);
    Condition c = p.or();
    p.expectEnd();
    p.throwFirst(CONDITION_ORDER);
    return c;
  }

  /** Parses an update expression. */
  public static Update update(String source, Placeholders placeholders) {
    Parser p = new Parser(source, Kind.UPDATE, placeholders);
    Update u = p.updateExpression();
    p.expectEnd();
    p.throwFirst(UPDATE_ORDER);
    return u;
  }

  /** Parses a projection expression. */
  public static List<Path> projection(String source, Placeholders placeholders) {
    Parser p = new Parser(source, Kind.PROJECTION, placeholders);
    List<Path> paths = new ArrayList<>();
    do {
      Path path = p.path();
      p.checkPath(paths, path);
      paths.add(path);
    } while (p.accept(","));
    p.expectEnd();
    p.throwFirst(PROJECTION_ORDER);
    return paths;
  }

  private void error(String category, String message) {
    errors.putIfAbsent(category, message);
  }

  private void throwFirst(List<String> order) {
    for (String category : order) {
      String message = errors.get(category);
      if (message != null) {
        throw ExpressionException.invalid(kind, message);
      }
    }
  }

  // ---- conditions ----

  private Condition or() {
    Condition left = and();
    while (peek().is("OR")) {
      next();
      left = new Condition.Or(left, and());
    }
    return left;
  }

  private Condition and() {
    Condition left = not();
    while (peek().is("AND")) {
      next();
      left = new Condition.And(left, not());
    }
    return left;
  }

  private Condition not() {
    if (peek().is("NOT")) {
      next();
      return new Condition.Not(not());
    }
    return primary();
  }

  private Condition primary() {
    if (peek().is("(")) {
      int start = pos;
      Map<String, String> saved = new HashMap<>(errors);
      try {
        next();
        Condition inner = or();
        int close = pos;
        expect(")");
        if (!isComparison(peek())) {
          // ((a = :a)): the inner parentheses span the whole content of the outer ones
          if (lastParenthesized[0] == start + 1 && lastParenthesized[1] == close) {
            error("parens", "The expression has redundant parentheses;");
          }
          lastParenthesized[0] = start;
          lastParenthesized[1] = pos;
          return inner;
        }
      } catch (DynamoException e) {
        // not a parenthesized condition: a parenthesized operand, e.g. (a) = :v
      }
      pos = start;
      errors.clear();
      errors.putAll(saved);
    }
    OperandOrCall first = operandOrCall();
    Token op = peek();
    if (first instanceof Call call && !isComparison(op)) {
      return function(call);
    }
    Operand left = asOperand(first);
    if (op.kind() == Lexer.Kind.SYMBOL && COMPARATORS.contains(op.text())) {
      next();
      Operand right = asOperand(operandOrCall());
      checkDistinct(op.text(), left, right);
      return new Condition.Compare(op.text(), left, right);
    }
    if (op.is("BETWEEN")) {
      next();
      Operand low = asOperand(operandOrCall());
      expectKeyword("AND");
      Operand high = asOperand(operandOrCall());
      checkBetween(low, high);
      return new Condition.Between(left, low, high);
    }
    if (op.is("IN")) {
      next();
      expect("(");
      List<Operand> options = new ArrayList<>();
      do {
        options.add(asOperand(operandOrCall()));
      } while (accept(","));
      expect(")");
      return new Condition.In(left, options);
    }
    throw syntaxError(op);
  }

  private static boolean isComparison(Token t) {
    return (t.kind() == Lexer.Kind.SYMBOL && COMPARATORS.contains(t.text()))
        || t.is("BETWEEN")
        || t.is("IN");
  }

  /** A function used as a whole condition. */
  private Condition function(Call call) {
    if (call.name().equals("size")) {
      error(
          "misusedFunction",
          "The function is not allowed to be used this way in an expression; function: size");
    }
    return new Condition.Function(call.name(), call.args());
  }

  /** A function's result used as an operand: only size() may be. */
  private Operand asOperand(OperandOrCall parsed) {
    if (parsed instanceof Wrapped w) {
      return w.operand();
    }
    Call call = (Call) parsed;
    if (!call.name().equals("size")) {
      error(
          "misusedFunction",
          "The function is not allowed to be used this way in an expression; function: "
              + call.name());
      return new Operand.Literal(":_", new Value.Null());
    }
    return call.args().isEmpty() || !(call.args().get(0) instanceof Operand.PathRef ref)
        ? new Operand.Literal(":_", new Value.Null())
        : new Operand.Size(ref.path());
  }

  private OperandOrCall operandOrCall() {
    if (peek().is("(")) {
      next();
      boolean doubled = peek().is("(");
      OperandOrCall inner = operandOrCall();
      expect(")");
      if (doubled) {
        error("parens", "The expression has redundant parentheses;");
      }
      return inner;
    }
    Token t = peek();
    if (t.kind() == Lexer.Kind.VALUE_PLACEHOLDER) {
      next();
      return new Wrapped(literal(t, "attrNameVal"));
    }
    if (t.kind() == Lexer.Kind.NAME && peekAt(1).is("(")) {
      next();
      expect("(");
      List<Operand> args = new ArrayList<>();
      do {
        args.add(asOperand(operandOrCall()));
      } while (accept(","));
      expect(")");
      checkFunction(t.text(), args);
      return new Call(t.text(), args);
    }
    return new Wrapped(new Operand.PathRef(path()));
  }

  private Operand.Literal literal(Token t, String category) {
    Value value = placeholders.value(t.text());
    if (value == null) {
      error(
          category,
          "An expression attribute value used in expression is not defined; attribute value: "
              + t.text());
    }
    return new Operand.Literal(t.text(), value); // a null value is reported before any use
  }

  private void checkFunction(String name, List<Operand> args) {
    if (!CONDITION_FUNCTIONS.contains(name)) {
      error("unknownFunction", "Invalid function name; function: " + name);
      return;
    }
    int expected =
        name.equals("attribute_type") || name.equals("begins_with") || name.equals("contains")
            ? 2
            : 1;
    if (args.size() != expected) {
      error(
          "operand",
          "Incorrect number of operands for operator or function; operator or function: "
              + name
              + ", number of operands: "
              + args.size());
      return;
    }
    if (expected == 2) {
      checkDistinct(name, args.get(0), args.get(1));
    }
    switch (name) {
      case "attribute_exists", "attribute_not_exists" -> {
        if (!(args.get(0) instanceof Operand.PathRef)) {
          error(
              "function",
              "Operator or function requires a document path; operator or function: " + name);
        }
      }
      case "begins_with" -> {
        for (Operand arg : args) {
          String type = literalType(arg);
          if (type != null && !type.equals("S") && !type.equals("B")) {
            error(
                "function",
                "Incorrect operand type for operator or function; operator or function: "
                    + name
                    + ", operand type: "
                    + type);
            return;
          }
        }
      }
      case "attribute_type" -> {
        String type = literalType(args.get(1));
        if (!"S".equals(type)) {
          error(
              "function",
              "Incorrect operand type for operator or function; operator or function: "
                  + name
                  + ", operand type: "
                  + (type == null ? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}" : type));
        } else if (!TYPES.contains(((Value.S) ((Operand.Literal) args.get(1)).value()).value())) {
          error(
              "function",
              "Invalid attribute type name found; type: "
                  + ((Value.S) ((Operand.Literal) args.get(1)).value()).value()
                  + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        }
      }
      case "size" -> {
        String type = literalType(args.get(0));
        if ("N".equals(type) || "BOOL".equals(type) || "NULL".equals(type)) {
          error(
              "function",
              "Incorrect operand type for operator or function; operator or function: size,"
                  + " operand type: "
                  + type);
        }
      }
      default -> {}
    }
  }

  private static String literalType(Operand operand) {
    if (operand instanceof Operand.Literal lit) {
      return lit.value() == null ? null : lit.value().type();
    }
    if (operand instanceof Operand.Size) {
      return "N";
    }
    return null;
  }

  private void checkDistinct(String operator, Operand a, Operand b) {
    if (a instanceof Operand.PathRef pa && b instanceof Operand.PathRef pb && pa.equals(pb)) {
      error(
          "distinct",
          "The first operand must be distinct from the remaining operands for this operator or"
              + " function; operator: "
              + operator
              + ", first operand: "
              + pa.path().describe());
    }
  }

  private void checkBetween(Operand low, Operand high) {
    if (low instanceof Operand.Literal lo
        && high instanceof Operand.Literal hi
        && lo.value() != null
        && hi.value() != null) {
      Value l = lo.value();
      Value h = hi.value();
      String bounds =
          "lower bound operand: AttributeValue: "
              + Values.describe(l)
              + ", upper bound operand: AttributeValue: "
              + Values.describe(h);
      if (!l.type().equals(h.type())) {
        error(
            "function",
            "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds);
      } else if (Values.compare(l, h) > 0) {
        error(
            "function",
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                + bounds);
      }
    }
  }

  // ---- paths ----

  private Path path() {
    List<Object> elements = new ArrayList<>();
    elements.add(name());
    while (true) {
      if (peek().is(".")) {
        next();
        elements.add(name());
      } else if (peek().is("[")) {
        next();
        Token index = next();
        if (index.kind() != Lexer.Kind.NUMBER) {
          throw syntaxError(index);
        }
        expect("]");
        elements.add(Integer.parseInt(index.text()));
      } else {
        return new Path(elements);
      }
    }
  }

  private String name() {
    Token t = next();
    if (t.kind() == Lexer.Kind.NAME_PLACEHOLDER) {
      String name = placeholders.name(t.text());
      if (name == null) {
        error(
            kind == Kind.UPDATE ? "attrName" : "attrNameVal",
            "An expression attribute name used in the document path is not defined; attribute"
                + " name: "
                + t.text());
        return t.text();
      }
      return name;
    }
    if (t.kind() == Lexer.Kind.NAME
        && !t.is("AND")
        && !t.is("OR")
        && !t.is("NOT")
        && !t.is("BETWEEN")
        && !t.is("IN")
        && (Character.isLetter(t.text().charAt(0)) || t.text().charAt(0) == '_')) {
      if (ReservedWords.isReserved(t.text())) {
        error("reserved", "Attribute name is a reserved keyword; reserved keyword: " + t.text());
      }
      return t.text();
    }
    throw syntaxError(t);
  }

  private void checkPath(List<Path> earlier, Path path) {
    for (Path other : earlier) {
      int n = Math.min(other.elements().size(), path.elements().size());
      boolean diverged = false;
      for (int i = 0; i < n; i++) {
        Object a = other.elements().get(i);
        Object b = path.elements().get(i);
        if (a.getClass() != b.getClass()) {
          error(
              "pathConflict",
              "Two document paths conflict with each other; must remove or rewrite one of these"
                  + " paths; path one: "
                  + other.describe()
                  + ", path two: "
                  + path.describe());
          diverged = true;
          break;
        }
        if (!a.equals(b)) {
          diverged = true;
          break;
        }
      }
      if (!diverged) {
        error(
            "pathOverlap",
            "Two document paths overlap with each other; must remove or rewrite one of these"
                + " paths; path one: "
                + other.describe()
                + ", path two: "
                + path.describe());
      }
    }
  }

  // ---- updates ----

  private Update updateExpression() {
    List<Update.Set> sets = new ArrayList<>();
    List<Path> removes = new ArrayList<>();
    List<Update.AddOrDelete> adds = new ArrayList<>();
    List<Update.AddOrDelete> deletes = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    do {
      Token clause = next();
      String name = clause.text().toUpperCase(java.util.Locale.ROOT);
      if (clause.kind() != Lexer.Kind.NAME
          || !Set.of("SET", "REMOVE", "ADD", "DELETE").contains(name)) {
        throw syntaxError(clause);
      }
      if (!seen.add(name)) {
        error(
            "section",
            "The \"" + name + "\" section can only be used once in an update expression;");
      }
      do {
        Path path = path();
        checkPath(paths, path);
        paths.add(path);
        switch (name) {
          case "SET" -> {
            expect("=");
            sets.add(new Update.Set(path, setValue()));
          }
          case "REMOVE" -> removes.add(path);
          default -> {
            Token t = next();
            if (t.kind() != Lexer.Kind.VALUE_PLACEHOLDER) {
              throw syntaxError(t);
            }
            Operand.Literal value = literal(t, "attrVal");
            String type = literalType(value);
            boolean set = "SS".equals(type) || "NS".equals(type) || "BS".equals(type);
            if (type != null && !set && !(name.equals("ADD") && type.equals("N"))) {
              error(
                  "operand",
                  "Incorrect operand type for operator or function; operator: "
                      + name
                      + ", operand type: "
                      + Values.longTypeName(value.value()));
            }
            (name.equals("ADD") ? adds : deletes).add(new Update.AddOrDelete(path, value));
          }
        }
      } while (accept(","));
    } while (peek().kind() != Lexer.Kind.EOF);
    return new Update(sets, removes, adds, deletes);
  }

  private Operand setValue() {
    Operand left = setOperand();
    if (peek().is("+") || peek().is("-")) {
      String op = next().text();
      Operand right = setOperand();
      for (Operand o : List.of(left, right)) {
        if (o instanceof Operand.Literal lit
            && lit.value() != null
            && !(lit.value() instanceof Value.N)) {
          error(
              "function",
              "Incorrect operand type for operator or function; operator or function: "
                  + op
                  + ", operand type: "
                  + lit.value().type());
          break;
        }
      }
      return new Operand.Arithmetic(op.equals("+"), left, right);
    }
    return left;
  }

  private Operand setOperand() {
    if (peek().is("(")) {
      next();
      Operand inner = setValue();
      expect(")");
      return inner;
    }
    Token t = peek();
    if (t.kind() == Lexer.Kind.NAME && peekAt(1).is("(")) {
      next();
      expect("(");
      List<Operand> args = new ArrayList<>();
      do {
        args.add(setValue());
      } while (accept(","));
      expect(")");
      String fn = t.text();
      if (!fn.equals("if_not_exists") && !fn.equals("list_append")) {
        error("unknownFunction", "Invalid function name; function: " + fn);
        return new Operand.Literal(":_", new Value.Null());
      }
      if (args.size() != 2) {
        error(
            "function",
            "Incorrect number of operands for operator or function; operator or function: "
                + fn
                + ", number of operands: "
                + args.size());
        return new Operand.Literal(":_", new Value.Null());
      }
      if (fn.equals("if_not_exists")) {
        if (!(args.get(0) instanceof Operand.PathRef ref)) {
          error(
              "function",
              "Operator or function requires a document path; operator or function: " + fn);
          return new Operand.Literal(":_", new Value.Null());
        }
        return new Operand.IfNotExists(ref.path(), args.get(1));
      }
      for (Operand o : args) {
        if (o instanceof Operand.Literal lit
            && lit.value() != null
            && !(lit.value() instanceof Value.L)) {
          error(
              "function",
              "Incorrect operand type for operator or function; operator or function: "
                  + fn
                  + ", operand type: "
                  + lit.value().type());
          break;
        }
      }
      return new Operand.ListAppend(args.get(0), args.get(1));
    }
    if (t.kind() == Lexer.Kind.VALUE_PLACEHOLDER) {
      next();
      return literal(t, "attrVal");
    }
    return new Operand.PathRef(path());
  }

  // ---- tokens ----

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private Token next() {
    Token t = tokens.get(pos);
    if (t.kind() != Lexer.Kind.EOF) {
      pos++;
    }
    return t;
  }

  private boolean accept(String symbol) {
    if (peek().is(symbol)) {
      next();
      return true;
    }
    return false;
  }

  private void expect(String symbol) {
    Token t = next();
    if (!t.is(symbol)) {
      throw syntaxError(t);
    }
  }

  private void expectKeyword(String keyword) {
    Token t = next();
    if (t.kind() != Lexer.Kind.NAME || !t.text().equalsIgnoreCase(keyword)) {
      throw syntaxError(t);
    }
  }

  private void expectEnd() {
    Token t = peek();
    if (t.kind() != Lexer.Kind.EOF) {
      throw syntaxError(t);
    }
  }

  private DynamoException syntaxError(Token t) {
    return ExpressionException.syntax(kind, source, t.text(), t.start(), t.end());
  }
}
