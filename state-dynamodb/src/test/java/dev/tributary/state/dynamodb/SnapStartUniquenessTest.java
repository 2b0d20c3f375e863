package dev.tributary.state.dynamodb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tributary.state.dynamodb.internal.Uniques;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The protocol's random numbers (first versions, spill generations, incarnations) must differ
 * between Lambda execution environments, including SnapStart environments restored from one
 * snapshot, where a generator seeded during initialisation repeats its sequence in each of them.
 */
class SnapStartUniquenessTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tributary.state.dynamodb");

  @Test
  void noGeneratorSeededAtInitialisationDrawsTheProtocolsNumbers() {
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(Uniques.class.getName())
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.SplittableRandom")
        .because(
            "their seeds are restored identically into every SnapStart environment; draw from"
                + " Uniques (SecureRandom, fresh entropy on every draw)")
        .check(MAIN);
  }

  @Test
  void drawsStayInTheirRange() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      long n = Uniques.next(1, 1L << 52);
      assertThat(n).isBetween(1L, (1L << 52) - 1);
      seen.add(n);
    }
    assertThat(seen).hasSize(1_000);
  }
}
