package dev.tributary.cdk;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.github.cdklabs.cdknag.NagPackProps;
import io.github.cdklabs.cdknag.ServerlessChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** Test stacks: one job in one stack of one app, with cdk-nag's packs applied. */
final class Stacks {
  static final String JOB_CLASS = "dev.tributary.examples.clicks.ClickWindowSums";
  static final String JOB_NAME = "click-window-sums";

  private Stacks() {}

  /** A tiny jar standing in for the job's shaded jar (the template only hashes it). */
  static String fakeJar() {
    try {
      Path jar = Files.createTempFile("tributary-job", ".jar");
      try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
        zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
        zip.write("Manifest-Version: 1.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      jar.toFile().deleteOnExit();
      return jar.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Props with the fake jar, the example job's class and name, and {@code source}. */
  static StreamJobProps.Builder props(JobSource source) {
    return StreamJobProps.builder()
        .jobJar(fakeJar())
        .jobClass(JOB_CLASS)
        .jobName(JOB_NAME)
        .source(source);
  }

  /** A stack in a fixed account and region holding what {@code body} adds, checked by cdk-nag. */
  static Stack stack(Consumer<Stack> body) {
    App app = App.Builder.create().outdir(tempDir()).build();
    Aspects.of(app).add(new AwsSolutionsChecks(NagPackProps.builder().verbose(true).build()));
    Aspects.of(app).add(new ServerlessChecks(NagPackProps.builder().verbose(true).build()));
    Stack stack =
        new Stack(
            app,
            "Test",
            StackProps.builder()
                .env(Environment.builder().account("123456789012").region("eu-west-1").build())
                .build());
    body.accept(stack);
    return stack;
  }

  private static String tempDir() {
    try {
      return Files.createTempDirectory("cdk.out").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The errors and warnings of the stack (cdk-nag's included), as "path: message" lines. */
  static java.util.List<String> findings(Stack stack) {
    software.amazon.awscdk.assertions.Annotations annotations =
        software.amazon.awscdk.assertions.Annotations.fromStack(stack);
    java.util.List<String> found = new java.util.ArrayList<>();
    for (var list :
        java.util.List.of(
            annotations.findError("*", software.amazon.awscdk.assertions.Match.anyValue()),
            annotations.findWarning("*", software.amazon.awscdk.assertions.Match.anyValue()))) {
      for (var m : list) {
        found.add(m.getId() + ": " + m.getEntry().getData());
      }
    }
    return found;
  }

  /** The logical id of an L2 construct's CloudFormation resource. */
  static String logicalId(Stack stack, Object construct) {
    software.constructs.Construct c = (software.constructs.Construct) construct;
    return stack.getLogicalId((software.amazon.awscdk.CfnElement) c.getNode().getDefaultChild());
  }
}
