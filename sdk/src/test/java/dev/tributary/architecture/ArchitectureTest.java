package dev.tributary.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Keeps the SDK free of AWS and keeps internals out of the public API. */
class ArchitectureTest {
  private static final JavaClasses SDK =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.tributary");

  @Test
  void theSdkDependsOnNoAwsAndNoFlinkLibrary() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("software.amazon..", "com.amazonaws..", "org.apache.flink..")
        .because("the SDK must compile without AWS (and Flink is only a test reference)")
        .check(SDK);
  }

  @Test
  void publicApiSignaturesNeverExposeInternalTypes() {
    List<String> leaks = new ArrayList<>();
    for (JavaClass type : SDK) {
      if (type.getPackageName().contains(".internal")
          || !type.getModifiers().contains(JavaModifier.PUBLIC)) {
        continue;
      }
      for (JavaClass parent : type.getAllRawSuperclasses()) {
        if (parent.getPackageName().contains(".internal")) {
          leaks.add(type.getName() + " extends " + parent.getName());
        }
      }
      for (JavaCodeUnit member : type.getCodeUnits()) {
        if (!isVisible(member.getModifiers())) {
          continue;
        }
        List<JavaClass> types = new ArrayList<>(member.getRawParameterTypes());
        types.add(member.getRawReturnType());
        for (JavaClass t : types) {
          if (t.getPackageName().contains(".internal")) {
            leaks.add(member.getFullName() + " uses " + t.getName());
          }
        }
      }
      for (JavaField field : type.getFields()) {
        if (isVisible(field.getModifiers())
            && field.getRawType().getPackageName().contains(".internal")) {
          leaks.add(field.getFullName() + " is a " + field.getRawType().getName());
        }
      }
    }
    assertThat(leaks).as("public API members exposing internal types").isEmpty();
  }

  private static boolean isVisible(java.util.Set<JavaModifier> modifiers) {
    return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
  }

  @Test
  void theApiPackagesDoNotReachIntoTheExecutor() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.tributary",
            "dev.tributary.functions",
            "dev.tributary.state",
            "dev.tributary.windowing",
            "dev.tributary.eventtime",
            "dev.tributary.serde",
            "dev.tributary.graph",
            "dev.tributary.partitioning",
            "dev.tributary.spi")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.tributary.internal.exec..")
        .because("the API describes jobs; only runtimes (testkit, execution) drive the executor")
        .check(SDK);
  }

  @Test
  void everyPublicTypeHasJavadoc() throws IOException {
    Pattern publicType =
        Pattern.compile(
            "^public (?:final |abstract |sealed |non-sealed |static )*(?:class|interface|record|enum|@interface) (\\w+)",
            Pattern.MULTILINE);
    List<String> missing = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher m = publicType.matcher(source);
        while (m.find()) {
          String before = source.substring(0, m.start()).stripTrailing();
          while (before.endsWith(")") || before.matches("(?s).*@\\w+$")) {
            // skip annotations such as @FunctionalInterface
            int at = before.lastIndexOf('@');
            before = before.substring(0, at).stripTrailing();
          }
          if (!before.endsWith("*/")) {
            missing.add(file + ": " + m.group(1));
          }
        }
      }
    }
    assertThat(missing).as("public types without javadoc").isEmpty();
  }
}
