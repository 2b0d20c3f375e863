package dev.tributary.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.Architecture;

class LocalStackDeploymentTest {
  /** An endpoint on 127.0.0.1 that answers the health path with {@code status} and {@code body}. */
  private static HttpServer endpoint(int status, String body) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          int code =
              exchange.getRequestURI().getPath().equals("/_localstack/health") ? status : 404;
          exchange.sendResponseHeaders(code, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    return server;
  }

  private static URI uri(HttpServer server) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void anEndpointThatReportsLocalStacksServicesIsLocalStack() throws Exception {
    HttpServer server =
        endpoint(
            200,
            "{\"services\": {\"dynamodb\": \"available\", \"kinesis\": \"running\","
                + " \"lambda\": \"available\", \"s3\": \"disabled\"}, \"edition\":"
                + " \"community\"}");
    try {
      assertThat(LocalStackDeployment.notLocalStack(uri(server))).isEmpty();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aLocalStackWithoutLambdaIsNamedWithTheServiceItLacks() throws Exception {
    HttpServer server =
        endpoint(
            200,
            "{\"services\": {\"dynamodb\": \"available\", \"kinesis\": \"available\","
                + " \"lambda\": \"disabled\"}}");
    try {
      assertThat(LocalStackDeployment.notLocalStack(uri(server)))
          .hasValueSatisfying(
              reason ->
                  assertThat(reason)
                      .contains("does not serve lambda (disabled)")
                      .contains("needs DynamoDB, Kinesis and Lambda"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void anotherServiceAtAwsEndpointUrlIsNotDeployedTo() throws Exception {
    HttpServer server = endpoint(404, "{\"message\": \"not found\"}");
    try {
      assertThat(LocalStackDeployment.notLocalStack(uri(server)))
          .hasValueSatisfying(
              reason ->
                  assertThat(reason)
                      .contains("is not LocalStack")
                      .contains("/_localstack/health answered 404")
                      .contains("unset AWS_ENDPOINT_URL"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theFunctionsRunOnTheHostsArchitecture() {
    assertThat(LocalStackDeployment.architecture("aarch64")).isEqualTo(Architecture.ARM64);
    assertThat(LocalStackDeployment.architecture("amd64")).isEqualTo(Architecture.X86_64);
    assertThat(LocalStackDeployment.architecture("x86_64")).isEqualTo(Architecture.X86_64);
  }
}
