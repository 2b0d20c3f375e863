package dev.tributary.local.dynamodb.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written number syntax check accepts exactly what the regular expression it replaced did.
 */
class NumbersTest {
  private static final Pattern SYNTAX =
      Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*");

  @Test
  void handPickedCasesMatchTheRegularExpression() {
    List<String> cases =
        List.of(
            "0",
            "1",
            "-1",
            "+1",
            "1.",
            ".5",
            "-.5",
            "+.5e3",
            "1e5",
            "1E+5",
            "1e-5",
            "1.5e",
            "e5",
            ".",
            "-",
            "+",
            "",
            " ",
            " 1 ",
            "\t1\n",
            "1 2",
            "1..2",
            "1.2.3",
            "1e5.5",
            "--1",
            "1e+-5",
            "0x10",
            "NaN",
            "Infinity",
            "١",
            "1\u00a0",
            "\u000b7\f",
            "1e",
            "1e+",
            ".e1",
            "00012.3400",
            "12345678901234567890123456789012345678901234567890");
    for (String c : cases) {
      assertThat(Numbers.wellFormed(c)).as("'%s'", c).isEqualTo(SYNTAX.matcher(c).matches());
    }
  }

  @Test
  void randomStringsOfNumberCharactersMatchTheRegularExpression() {
    Random random = new Random(42);
    String alphabet = "0123456789.eE+- \t\n\u000b\f\rx";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(8);
      for (int k = 0; k < length; k++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = b.toString();
      assertThat(Numbers.wellFormed(s)).as("'%s'", s).isEqualTo(SYNTAX.matcher(s).matches());
    }
  }
}
