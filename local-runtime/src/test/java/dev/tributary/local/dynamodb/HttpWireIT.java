package dev.tributary.local.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The endpoint's HTTP/1.1 layer on raw sockets: keep-alive and pipelined requests, requests split
 * over many writes, {@code Expect: 100-continue}, chunked bodies, HTTP/1.0, the headers of every
 * answer ({@code x-amz-crc32}, {@code x-amzn-RequestId}), health and unknown methods, refusals
 * (413, 400), apply-then-drop, and {@code close()} ending every connection and thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpWireIT {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private DynamoDbLocal local;

  @BeforeAll
  void start() {
    local = DynamoDbLocal.start();
    call(
        "CreateTable",
        "{\"TableName\":\"wire\",\"BillingMode\":\"PAY_PER_REQUEST\","
            + "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
            + "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}");
  }

  @AfterAll
  void stop() {
    local.close();
  }

  // ---- a minimal HTTP client over a socket ----

  /** One parsed answer. */
  record Answer(String statusLine, Map<String, String> headers, byte[] body) {
    int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return MAPPER.readTree(body);
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", local.port());
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    return socket;
  }

  private static String post(String op, String body, String extraHeaders) {
    return "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810."
        + op
        + "\r\nContent-Type: application/x-amz-json-1.0\r\n"
        + extraHeaders
        + "Content-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  private static void write(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("end of stream inside a line: " + line);
      }
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static Answer read(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      headers.put(
          h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    assertThat(body).hasSize(length);
    return new Answer(status, headers, body);
  }

  private static boolean closedByServer(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true; // reset
    }
  }

  private Answer call(String op, String body) {
    try (Socket socket = connect()) {
      write(socket, post(op, body, ""));
      return read(socket);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The live threads of the endpoint on {@code port}, waiting up to 60 s for them to end. */
  private static List<String> threadsOf(int port) throws InterruptedException {
    List<String> names = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      names.clear();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive() && t.getName().startsWith("dynamodb-local-" + port + "-")) {
          names.add(t.getName());
        }
      }
      if (names.isEmpty() || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(50);
    }
    return names;
  }

  // ---- the tests ----

  @Test
  void everyAnswerCarriesItsCrc32AndADistinctRequestId() throws IOException {
    Set<String> ids = new HashSet<>();
    try (Socket socket = connect()) {
      for (int i = 0; i < 5; i++) {
        write(
            socket,
            post(
                "PutItem",
                "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"crc" + i + "\"}}}",
                ""));
        Answer a = read(socket);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(a.header("Content-Type")).isEqualTo("application/x-amz-json-1.0");
        CRC32 crc = new CRC32();
        crc.update(a.body());
        assertThat(a.header("x-amz-crc32")).isEqualTo(Long.toString(crc.getValue()));
        assertThat(a.header("x-amzn-RequestId"))
            .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(a.header("Date")).endsWith(" GMT");
        assertThat(a.header("Connection")).isNull();
        ids.add(a.header("x-amzn-RequestId"));
      }
    }
    assertThat(ids).hasSize(5);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws IOException {
    try (Socket socket = connect()) {
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        all.append(
            post(
                "PutItem",
                "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"pipe"
                    + i
                    + "\"},\"i\":{\"N\":\""
                    + i
                    + "\"}}}",
                ""));
      }
      for (int i = 0; i < 3; i++) {
        all.append(
            post(
                "GetItem",
                "{\"TableName\":\"wire\",\"Key\":{\"pk\":{\"S\":\"pipe" + i + "\"}}}",
                ""));
      }
      write(socket, all.toString());
      for (int i = 0; i < 3; i++) {
        assertThat(read(socket).status()).isEqualTo(200);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(read(socket).json().at("/Item/i/N").asText()).isEqualTo(Integer.toString(i));
      }
    }
  }

  @Test
  void aRequestArrivingInPiecesIsReadWhole() throws Exception {
    String request =
        post(
            "PutItem",
            "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"slow\"},\"v\":{\"S\":\""
                + "x".repeat(20_000)
                + "\"}}}",
            "");
    try (Socket socket = connect()) {
      byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
      OutputStream out = socket.getOutputStream();
      for (int i = 0; i < bytes.length; ) {
        int n = i < 400 ? 1 : 4096; // the head byte by byte, the body in blocks
        n = Math.min(n, bytes.length - i);
        out.write(bytes, i, n);
        out.flush();
        i += n;
        if (i % 97 == 0) {
          Thread.sleep(1);
        }
      }
      assertThat(read(socket).status()).isEqualTo(200);
      write(
          socket,
          post("GetItem", "{\"TableName\":\"wire\",\"Key\":{\"pk\":{\"S\":\"slow\"}}}", ""));
      assertThat(read(socket).json().at("/Item/v/S").asText()).hasSize(20_000);
    }
  }

  @Test
  void expectContinueIsAnsweredBeforeTheBodyIsSent() throws IOException {
    String body = "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"continued\"}}}";
    String request = post("PutItem", body, "Expect: 100-continue\r\n");
    String head = request.substring(0, request.length() - body.length());
    try (Socket socket = connect()) {
      write(socket, head);
      InputStream in = socket.getInputStream();
      assertThat(line(in)).isEqualTo("HTTP/1.1 100 Continue");
      assertThat(line(in)).isEmpty();
      write(socket, body);
      assertThat(read(socket).status()).isEqualTo(200);
    }
    assertThat(
            call("GetItem", "{\"TableName\":\"wire\",\"Key\":{\"pk\":{\"S\":\"continued\"}}}")
                .json()
                .has("Item"))
        .isTrue();
  }

  @Test
  void chunkedBodiesAreDecoded() throws IOException {
    String body =
        "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"chunked\"},\"v\":{\"S\":\""
            + "y".repeat(9000)
            + "\"}}}";
    StringBuilder request =
        new StringBuilder(
            "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < body.length(); i += 1000) {
      parts.add(body.substring(i, Math.min(body.length(), i + 1000)));
    }
    for (int i = 0; i < parts.size(); i++) {
      request.append(Integer.toHexString(parts.get(i).length()));
      request.append(i == 0 ? ";name=value\r\n" : "\r\n").append(parts.get(i)).append("\r\n");
    }
    request.append("0\r\nX-Trailer: t\r\n\r\n");
    try (Socket socket = connect()) {
      write(socket, request.toString());
      assertThat(read(socket).status()).isEqualTo(200);
      // the connection stays usable after the chunked body
      write(
          socket,
          post("GetItem", "{\"TableName\":\"wire\",\"Key\":{\"pk\":{\"S\":\"chunked\"}}}", ""));
      assertThat(read(socket).json().at("/Item/v/S").asText()).hasSize(9000);
    }
  }

  @Test
  void http10AndConnectionCloseEndTheConnectionAfterTheAnswer() throws IOException {
    try (Socket socket = connect()) {
      write(
          socket,
          "POST / HTTP/1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n\r\n{}");
      Answer a = read(socket);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.header("Connection")).isEqualTo("close");
      assertThat(closedByServer(socket)).isTrue();
    }
    try (Socket socket = connect()) {
      write(socket, post("ListTables", "{}", "Connection: close\r\n"));
      assertThat(read(socket).status()).isEqualTo(200);
      assertThat(closedByServer(socket)).isTrue();
    }
  }

  @Test
  void getIsAHealthCheckOnAnyPathAndOtherMethodsAreNotFound() throws IOException {
    try (Socket socket = connect()) {
      write(socket, "GET /some/path?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
      Answer a = read(socket);
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.header("Content-Type")).isEqualTo("text/plain");
      assertThat(a.text()).isEqualTo("healthy: dynamodb.local ");
      write(socket, "DELETE / HTTP/1.1\r\nHost: localhost\r\n\r\n");
      Answer b = read(socket);
      assertThat(b.status()).isEqualTo(404);
      assertThat(b.body()).isEmpty();
      assertThat(b.header("x-amz-crc32")).isEqualTo("0");
    }
  }

  @Test
  void protocolErrorsAreAnsweredAsBefore() throws IOException {
    assertThat(call("NoSuchOperation", "{}").json().get("__type").asText())
        .isEqualTo("com.amazon.coral.service#UnknownOperationException");
    Answer malformed = call("ListTables", "{\"a\":");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("__type").asText())
        .isEqualTo("com.amazon.coral.service#SerializationException");
    assertThat(call("ListTables", "").json().has("TableNames")).isTrue();
    try (Socket socket = connect()) {
      write(socket, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
      Answer noTarget = read(socket);
      assertThat(noTarget.status()).isEqualTo(400);
      assertThat(noTarget.json().get("__type").asText()).endsWith("#UnknownOperationException");
    }
  }

  @Test
  void malformedRequestsGet400AndTheConnectionIsClosed() throws IOException {
    try (Socket socket = connect()) {
      write(socket, "NONSENSE\r\n\r\n");
      assertThat(read(socket).status()).isEqualTo(400);
      assertThat(closedByServer(socket)).isTrue();
    }
    try (Socket socket = connect()) {
      write(
          socket,
          "POST / HTTP/1.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: x\r\n\r\n");
      assertThat(read(socket).status()).isEqualTo(400);
      assertThat(closedByServer(socket)).isTrue();
    }
  }

  @Test
  void bodiesOverSixteenMegabytesAreRefused() throws IOException {
    try (Socket socket = connect()) {
      write(
          socket,
          "POST / HTTP/1.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: "
              + (16 * 1024 * 1024 + 1)
              + "\r\n\r\n{");
      Answer a = read(socket);
      assertThat(a.status()).isEqualTo(413);
      assertThat(a.header("Connection")).isEqualTo("close");
      assertThat(closedByServer(socket)).isTrue();
    }
  }

  @Test
  void largeRequestsAndAnswersPassThrough() {
    try (DynamoDbClient client = LocalClients.client(local.endpoint())) {
      String big = "z".repeat(300_000);
      for (int i = 0; i < 12; i++) {
        int n = i;
        client.putItem(
            b ->
                b.tableName("wire")
                    .item(
                        Map.of(
                            "pk",
                            AttributeValue.fromS("big" + n),
                            "v",
                            AttributeValue.fromS(big))));
      }
      // a Scan page of up to 1 MB, several times the connection's first buffers
      int seen = 0;
      Map<String, AttributeValue> start = null;
      do {
        Map<String, AttributeValue> from = start;
        var page = client.scan(b -> b.tableName("wire").exclusiveStartKey(from));
        seen +=
            (int)
                page.items().stream()
                    .filter(it -> big.equals(it.get("v") == null ? null : it.get("v").s()))
                    .count();
        start =
            page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? page.lastEvaluatedKey()
                : null;
      } while (start != null);
      assertThat(seen).isEqualTo(12);
    }
  }

  @Test
  void applyThenDropClosesTheConnectionWithoutAnAnswer() throws IOException {
    FaultRule rule =
        local
            .faults()
            .add(FaultRule.on("PutItem").key("pk", "dropped").times(1).applyThenDropResponse());
    try (Socket socket = connect()) {
      write(
          socket,
          post("PutItem", "{\"TableName\":\"wire\",\"Item\":{\"pk\":{\"S\":\"dropped\"}}}", ""));
      assertThat(closedByServer(socket)).isTrue();
    }
    assertThat(rule.triggered()).isEqualTo(1);
    assertThat(
            call("GetItem", "{\"TableName\":\"wire\",\"Key\":{\"pk\":{\"S\":\"dropped\"}}}")
                .json()
                .has("Item"))
        .isTrue();
  }

  @Test
  void closeEndsEveryConnectionAndThreadAndFreesThePort() throws Exception {
    DynamoDbLocal other = DynamoDbLocal.start();
    int port = other.port();
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        sockets.add(s);
        write(s, post("ListTables", "{}", ""));
        assertThat(read(s).status()).isEqualTo(200);
      }
      try (DynamoDbClient client = LocalClients.client(other.endpoint())) {
        client.listTables();
        long running =
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("dynamodb-local-" + port + "-"))
                .count();
        assertThat(running).isGreaterThanOrEqualTo(2 + 4); // acceptor, reaper, 4 connections
        other.close();
        assertThatThrownBy(client::listTables).isInstanceOf(SdkClientException.class);
      }
      for (Socket s : sockets) {
        assertThat(closedByServer(s)).isTrue();
      }
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(ConnectException.class);
      // every thread of the endpoint (acceptor, idle reaper, one per connection) has ended
      assertThat(threadsOf(port)).isEmpty();
      try (DynamoDbLocal again = DynamoDbLocal.builder().port(port).build()) {
        assertThat(again.port()).isEqualTo(port);
      }
    } finally {
      other.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
