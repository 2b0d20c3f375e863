package dev.tributary.local.dynamodb.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * One HTTP/1.1 connection of {@link HttpEndpoint}, served by one thread from accept to close:
 * requests are read one after another (keep-alive, pipelined requests included), each is answered
 * before the next is read, and every answer goes out in a single write.
 *
 * <p>Only what the DynamoDB protocol needs is interpreted: the request line, {@code
 * Content-Length}, {@code Transfer-Encoding: chunked}, {@code X-Amz-Target}, {@code Connection} and
 * {@code Expect: 100-continue}; other headers are skipped unread. The request body is handed to the
 * JSON parser where it lies in the read buffer, and the response body is serialized behind room
 * left for the status line and headers, so neither is copied. Malformed requests get 400 and the
 * connection is closed; bodies over {@value HttpEndpoint#MAX_BODY} bytes get 413.
 */
final class HttpConnection implements Runnable {
  /** The content type of the health text and of empty answers. */
  static final byte[] TEXT = ascii("text/plain");

  private static final byte[] JSON = ascii("application/x-amz-json-1.0");
  private static final byte[] HTML = ascii("text/html");
  private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
  private static final byte[] CONTENT_TYPE = ascii("\r\nContent-Type: ");
  private static final byte[] CONTENT_LENGTH = ascii("\r\nContent-Length: ");
  private static final byte[] CRC = ascii("\r\nx-amz-crc32: ");
  private static final byte[] REQUEST_ID = ascii("\r\nx-amzn-RequestId: ");
  private static final byte[] DATE = ascii("\r\nDate: ");
  private static final byte[] CLOSE = ascii("\r\nConnection: close");
  private static final byte[] KEEP_ALIVE = ascii("\r\nConnection: keep-alive");
  private static final byte[] END = ascii("\r\n\r\n");

  private static final byte[] H_CONTENT_LENGTH = ascii("content-length");
  private static final byte[] H_TARGET = ascii("x-amz-target");
  private static final byte[] H_TRANSFER_ENCODING = ascii("transfer-encoding");
  private static final byte[] H_CONNECTION = ascii("connection");
  private static final byte[] H_EXPECT = ascii("expect");

  /** The longest request line, header section or chunk-size line accepted. */
  private static final int MAX_HEAD = 64 * 1024;

  /** Room left in front of a response body for the status line and headers. */
  private static final int RESERVE = 512;

  /** Buffers grown past this for one large request or answer are dropped afterwards. */
  private static final int KEEP_BUFFER = 256 * 1024;

  private static final int INITIAL_BUFFER = 8 * 1024;

  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(ZoneOffset.UTC);

  /** The Date header's value, formatted once a second. */
  private static volatile DateText date = new DateText(Long.MIN_VALUE, new byte[0]);

  private record DateText(long second, byte[] text) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final HttpEndpoint endpoint;
  private final CRC32 crc = new CRC32();
  private final byte[] head = new byte[RESERVE];
  private Sink sink = new Sink(INITIAL_BUFFER);

  /** Read bytes; {@code [pos, lim)} are not consumed yet. */
  private byte[] buf = new byte[INITIAL_BUFFER];

  private int pos;
  private int lim;

  /** A decoded chunked body (reused). */
  private byte[] chunks = new byte[0];

  /** System.nanoTime() when the connection began waiting for a request; 0 while it is busy. */
  private volatile long idleSince;

  private volatile boolean closed;

  // the current request
  private boolean keepAlive;
  private boolean http10;

  HttpConnection(Socket socket, HttpEndpoint endpoint) throws IOException {
    this.socket = socket;
    this.endpoint = endpoint;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void run() {
    try {
      while (!closed && serveOne()) {
        if (buf.length > KEEP_BUFFER && lim - pos < INITIAL_BUFFER) {
          byte[] small = new byte[INITIAL_BUFFER];
          System.arraycopy(buf, pos, small, 0, lim - pos);
          lim -= pos;
          pos = 0;
          buf = small;
        }
        if (sink.buf.length > KEEP_BUFFER) {
          sink = new Sink(INITIAL_BUFFER);
        }
        if (chunks.length > KEEP_BUFFER) {
          chunks = new byte[0];
        }
      }
    } catch (IOException | RuntimeException e) {
      // the connection broke or was closed; the client sees it as such
    } finally {
      close();
      endpoint.ended(this);
    }
  }

  /** How long the connection has been waiting for a request, 0 while it is busy. */
  long idleFor(long now) {
    long since = idleSince;
    return since == 0 ? 0 : now - since;
  }

  /** Closes the connection (from any thread). */
  void close() {
    closed = true;
    HttpEndpoint.closeQuietly(socket);
  }

  /** Ends the connection without answering the current request. */
  void drop() {
    close();
  }

  /** Reads and answers one request; false when the connection is to be closed. */
  private boolean serveOne() throws IOException {
    idleSince = System.nanoTime() | 1;
    int headEnd = readHead();
    idleSince = 0;
    if (headEnd == -1) {
      return false;
    }
    if (headEnd == -2) {
      return badRequest("Request header too large");
    }

    // request line: METHOD SP target SP HTTP/x.y
    int lineEnd = lineEnd(pos, headEnd);
    int sp1 = indexOf(' ', pos, lineEnd);
    int sp2 = sp1 < 0 ? -1 : indexOf(' ', sp1 + 1, lineEnd);
    int versionEnd = trimEnd(sp2 + 1, lineEnd);
    if (sp1 <= pos || sp2 < 0 || !startsWith(sp2 + 1, versionEnd, "HTTP/")) {
      return badRequest("Bad request line");
    }
    String method = method(pos, sp1);
    http10 = versionEnd - (sp2 + 1) == 8 && startsWith(sp2 + 1, versionEnd, "HTTP/1.0");

    // headers
    long contentLength = 0;
    boolean chunked = false;
    boolean expectContinue = false;
    boolean close = false;
    boolean keepAliveAsked = false;
    String target = null;
    int line = lineEnd + 1;
    while (line < headEnd) {
      int end = lineEnd(line, headEnd);
      int next = end + 1;
      // only names starting with c, x, t or e matter, and none is longer than 17 characters
      int first = buf[line] | 0x20;
      int colon =
          first == 'c' || first == 'x' || first == 't' || first == 'e'
              ? indexOf(':', line, Math.min(end, line + 18))
              : -1;
      if (colon > line) {
        int nameLength = colon - line;
        int v = colon + 1;
        int vEnd = trimEnd(v, end);
        while (v < vEnd && (buf[v] == ' ' || buf[v] == '\t')) {
          v++;
        }
        switch (nameLength) {
          case 14 -> {
            if (nameIs(line, H_CONTENT_LENGTH)) {
              contentLength = number(v, vEnd);
              if (contentLength < 0) {
                return badRequest("Bad Content-Length");
              }
            }
          }
          case 12 -> {
            if (target == null && nameIs(line, H_TARGET)) {
              target = new String(buf, v, vEnd - v, StandardCharsets.ISO_8859_1);
            }
          }
          case 17 -> {
            if (nameIs(line, H_TRANSFER_ENCODING)) {
              chunked = contains(v, vEnd, "chunked");
            }
          }
          case 10 -> {
            if (nameIs(line, H_CONNECTION)) {
              close |= contains(v, vEnd, "close");
              keepAliveAsked |= contains(v, vEnd, "keep-alive");
            }
          }
          case 6 -> {
            if (nameIs(line, H_EXPECT)) {
              expectContinue = contains(v, vEnd, "100-continue");
            }
          }
          default -> {
            // not ours
          }
        }
      }
      line = next;
    }
    keepAlive = http10 ? keepAliveAsked && !close : !close;
    pos = headEnd;

    // body
    byte[] body = buf;
    int offset;
    int length;
    if (chunked) {
      if (expectContinue && !http10 && lim == pos) {
        out.write(CONTINUE);
      }
      length = readChunks();
      if (length == -1) {
        return false;
      }
      if (length == -2) {
        return tooLarge();
      }
      if (length == -3) {
        return badRequest("Bad chunked encoding");
      }
      body = chunks;
      offset = 0;
    } else {
      if (contentLength > HttpEndpoint.MAX_BODY) {
        return tooLarge();
      }
      length = (int) contentLength;
      if (expectContinue && !http10 && length > 0 && lim - pos < length) {
        out.write(CONTINUE);
      }
      if (!need(length)) {
        return false;
      }
      body = buf;
      offset = pos;
      pos += length;
    }
    endpoint.serve(this, method, target, body, offset, length);
    return keepAlive && !closed;
  }

  private String method(int start, int end) {
    if (startsWith(start, end, "POST") && end - start == 4) {
      return "POST";
    }
    if (startsWith(start, end, "GET") && end - start == 3) {
      return "GET";
    }
    return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
  }

  private boolean badRequest(String reason) throws IOException {
    keepAlive = false;
    send(400, HTML, ascii("<h1>400 Bad Request</h1>" + reason));
    return false;
  }

  private boolean tooLarge() throws IOException {
    keepAlive = false;
    send(413, TEXT, null);
    return false;
  }

  // ---- reading ----

  /**
   * Reads until a whole header section is buffered from {@code pos} (skipping empty lines before
   * the request line); returns the index after its blank line, -1 at end of stream, -2 when it is
   * too large.
   */
  private int readHead() throws IOException {
    int scanned = 0;
    while (true) {
      while (pos < lim && (buf[pos] == '\r' || buf[pos] == '\n')) {
        pos++;
        scanned = 0;
      }
      for (int i = Math.max(pos, pos + scanned - 3); i < lim; i++) {
        if (buf[i] == '\n'
            && i > pos
            && (buf[i - 1] == '\n' || (buf[i - 1] == '\r' && i - 1 > pos && buf[i - 2] == '\n'))) {
          return i + 1;
        }
      }
      scanned = lim - pos;
      if (scanned >= MAX_HEAD) {
        return -2;
      }
      if (!fill()) {
        return -1;
      }
    }
  }

  /** Reads a chunked body into {@link #chunks}: its length, -1 at end of stream, -2, -3. */
  private int readChunks() throws IOException {
    int total = 0;
    while (true) {
      int end = readLine();
      if (end < 0) {
        return end == -1 ? -1 : -3;
      }
      long size = 0;
      int i = pos;
      int digits = 0;
      for (; i < end; i++) {
        int d = Character.digit(buf[i], 16);
        if (d < 0) {
          break;
        }
        size = size * 16 + d;
        if (++digits > 8) {
          return -3;
        }
      }
      if (digits == 0) {
        return -3;
      }
      pos = end + 1;
      if (size == 0) {
        // trailer fields up to an empty line
        while (true) {
          int t = readLine();
          if (t < 0) {
            return t == -1 ? -1 : -3;
          }
          boolean empty = t == pos || (t == pos + 1 && buf[pos] == '\r');
          pos = t + 1;
          if (empty) {
            return total;
          }
        }
      }
      if (total + size > HttpEndpoint.MAX_BODY) {
        return -2;
      }
      int n = (int) size;
      if (!need(n)) {
        return -1;
      }
      if (chunks.length < total + n) {
        chunks = Arrays.copyOf(chunks, Math.max(total + n, chunks.length * 2));
      }
      System.arraycopy(buf, pos, chunks, total, n);
      total += n;
      pos += n;
      int crlf = readLine();
      if (crlf < 0) {
        return crlf == -1 ? -1 : -3;
      }
      pos = crlf + 1;
    }
  }

  /** The index of the '\n' ending the line at {@code pos}, reading more as needed; -1, -2. */
  private int readLine() throws IOException {
    int scanned = 0;
    while (true) {
      for (int i = pos + scanned; i < lim; i++) {
        if (buf[i] == '\n') {
          return i;
        }
      }
      scanned = lim - pos;
      if (scanned >= MAX_HEAD) {
        return -2;
      }
      if (!fill()) {
        return -1;
      }
    }
  }

  /** Makes {@code n} bytes available from {@code pos}; false at end of stream. */
  private boolean need(int n) throws IOException {
    if (buf.length - pos < n) {
      byte[] target = buf.length < n ? new byte[Math.max(n, buf.length * 2)] : buf;
      System.arraycopy(buf, pos, target, 0, lim - pos);
      lim -= pos;
      pos = 0;
      buf = target;
    }
    while (lim - pos < n) {
      if (!fill()) {
        return false;
      }
    }
    return true;
  }

  /** Reads what is there into the buffer (compacting or growing it); false at end of stream. */
  private boolean fill() throws IOException {
    if (lim == buf.length) {
      if (pos > 0) {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
      } else {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      return false;
    }
    lim += n;
    return true;
  }

  // ---- parsing helpers over buf ----

  /** The end of the line starting at {@code from} (before its '\r\n' or '\n'), within limit. */
  private int lineEnd(int from, int limit) {
    int nl = indexOf('\n', from, limit);
    return nl < 0 ? limit : nl;
  }

  private int indexOf(char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == c) {
        return i;
      }
    }
    return -1;
  }

  /** {@code end} moved back over trailing '\r', spaces and tabs, not before {@code start}. */
  private int trimEnd(int start, int end) {
    while (end > start && (buf[end - 1] == '\r' || buf[end - 1] == ' ' || buf[end - 1] == '\t')) {
      end--;
    }
    return end;
  }

  private boolean startsWith(int start, int end, String prefix) {
    if (end - start < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (buf[start + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the header name at {@code start} equals {@code lower} ignoring ASCII case. */
  private boolean nameIs(int start, byte[] lower) {
    for (int i = 0; i < lower.length; i++) {
      if ((buf[start + i] | 0x20) != lower[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code buf[start, end)} contains {@code word} ignoring ASCII case. */
  private boolean contains(int start, int end, String word) {
    outer:
    for (int i = start; i + word.length() <= end; i++) {
      for (int k = 0; k < word.length(); k++) {
        if (Character.toLowerCase((char) buf[i + k]) != word.charAt(k)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** A non-negative decimal number, or -1 when it is not one. */
  private long number(int start, int end) {
    if (start == end || end - start > 18) {
      return -1;
    }
    long n = 0;
    for (int i = start; i < end; i++) {
      int d = buf[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      n = n * 10 + d;
    }
    return n;
  }

  // ---- writing ----

  /** Answers with {@code body} (null for none) as {@code contentType}. */
  void send(int status, byte[] contentType, byte[] body) throws IOException {
    sink.reset(RESERVE);
    if (body != null) {
      sink.write(body, 0, body.length);
    }
    finish(status, contentType);
  }

  /** Answers with {@code body} as DynamoDB JSON. */
  void sendJson(int status, JsonNode body, ObjectMapper mapper) throws IOException {
    sink.reset(RESERVE);
    mapper.writeValue(sink, body);
    finish(status, JSON);
  }

  /** Puts the status line and headers in front of the body in the sink and writes it all. */
  private void finish(int status, byte[] contentType) throws IOException {
    byte[] b = sink.buf;
    int bodyLength = sink.count - RESERVE;
    crc.reset();
    crc.update(b, RESERVE, bodyLength);
    byte[] h = head;
    int at = put(h, 0, statusLine(status));
    at = put(h, at, CONTENT_TYPE);
    at = put(h, at, contentType);
    at = put(h, at, CONTENT_LENGTH);
    at = decimal(h, at, bodyLength);
    at = put(h, at, CRC);
    at = decimal(h, at, crc.getValue());
    at = put(h, at, REQUEST_ID);
    at = endpoint.requestIds().next(h, at);
    at = put(h, at, DATE);
    at = put(h, at, date());
    if (!keepAlive) {
      at = put(h, at, CLOSE);
    } else if (http10) {
      at = put(h, at, KEEP_ALIVE);
    }
    at = put(h, at, END);
    int start = RESERVE - at;
    System.arraycopy(h, 0, b, start, at);
    out.write(b, start, at + bodyLength);
  }

  private static int put(byte[] to, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, to, at, bytes.length);
    return at + bytes.length;
  }

  private static int decimal(byte[] to, int at, long n) {
    if (n == 0) {
      to[at] = '0';
      return at + 1;
    }
    int digits = 0;
    for (long v = n; v > 0; v /= 10) {
      digits++;
    }
    for (int i = at + digits - 1; i >= at; i--) {
      to[i] = (byte) ('0' + n % 10);
      n /= 10;
    }
    return at + digits;
  }

  private static final byte[] OK = ascii("HTTP/1.1 200 OK");
  private static final byte[] BAD_REQUEST = ascii("HTTP/1.1 400 Bad Request");
  private static final byte[] NOT_FOUND = ascii("HTTP/1.1 404 Not Found");
  private static final byte[] TOO_LARGE = ascii("HTTP/1.1 413 Request Entity Too Large");
  private static final byte[] INTERNAL = ascii("HTTP/1.1 500 Internal Server Error");

  private static byte[] statusLine(int status) {
    return switch (status) {
      case 200 -> OK;
      case 400 -> BAD_REQUEST;
      case 404 -> NOT_FOUND;
      case 413 -> TOO_LARGE;
      case 500 -> INTERNAL;
      default ->
          ascii(
              "HTTP/1.1 "
                  + status
                  + switch (status) {
                    case 503 -> " Service Unavailable";
                    default -> status >= 500 ? " Server Error" : " Client Error";
                  });
    };
  }

  private static byte[] date() {
    long second = System.currentTimeMillis() / 1000;
    DateText d = date;
    if (d.second() != second) {
      d = new DateText(second, ascii(HTTP_DATE.format(Instant.ofEpochSecond(second))));
      date = d;
    }
    return d.text();
  }

  /** A growable byte sink whose array is reachable, with room kept in front. */
  private static final class Sink extends OutputStream {
    byte[] buf;
    int count;

    Sink(int size) {
      buf = new byte[size];
    }

    void reset(int reserve) {
      count = reserve;
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(count + more, buf.length * 2));
      }
    }

    @Override
    public void write(int b) {
      ensure(1);
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }
  }
}
