package dev.tributary.coordinator;

import dev.tributary.operator.protocol.OperatorRequest;
import dev.tributary.operator.protocol.OperatorResponse;
import dev.tributary.operator.protocol.Protocol;
import dev.tributary.operator.protocol.SourceRecord;
import io.netty.channel.socket.nio.NioChannelOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import jdk.net.ExtendedSocketOptions;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * Invokes the operator function (RequestResponse) for a slot. A request larger than Lambda's 6 MB
 * payload limit is cut into consecutive requests sent one after the other, each starting once the
 * previous one committed, so that the slot still sees its records in order.
 */
public final class LambdaInvoker implements SlotInvoker {
  /** Requests stay below this many bytes (Lambda's synchronous payload limit is 6 MB). */
  public static final int MAX_PAYLOAD_BYTES = 5_500_000;

  /**
   * How long the client waits for an operator's answer: the longest a Lambda invocation can run.
   * The HTTP client's default (30 s) is shorter than the operator's own timeout (60 s by default,
   * up to 15 minutes): a slow invocation would be read as a failure and sent again while the first
   * one still ran, and a batch whose slot needs longer than 30 s would never get through. The
   * coordinator's own timeout bounds the wait.
   */
  public static final Duration READ_TIMEOUT = Duration.ofMinutes(15);

  /**
   * The HTTP client for operator invocations: {@code maxConcurrency} connections, answers awaited
   * up to {@link #READ_TIMEOUT}, and TCP keep-alive probes after 60 s of silence, every 30 s (as
   * AWS advises for long synchronous invocations: a NAT gateway or endpoint on the way drops a
   * connection idle for 350 s, and the system's default first probe comes only after two hours).
   */
  public static NettyNioAsyncHttpClient.Builder httpClient(int maxConcurrency) {
    return NettyNioAsyncHttpClient.builder()
        .maxConcurrency(maxConcurrency)
        .readTimeout(READ_TIMEOUT)
        .tcpKeepAlive(true)
        .putChannelOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), 60)
        .putChannelOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), 30);
  }

  private final LambdaAsyncClient lambda;
  private final String function;
  private final boolean ownsClient;
  private final int maxPayloadBytes;
  private final SlotInvoker oversized;

  /** An invoker of {@code function} (a name or ARN) through {@code lambda}. */
  public LambdaInvoker(LambdaAsyncClient lambda, String function, boolean ownsClient) {
    this(lambda, function, ownsClient, MAX_PAYLOAD_BYTES, null);
  }

  /**
   * An invoker of {@code function} that runs a slot's request through {@code oversized} (the
   * coordinator's in-process invoker) when one of its records alone is too large for a Lambda
   * request: the event source mapping can deliver a record a little under its own 6 MB limit, which
   * the operator request, with its envelope, cannot carry.
   */
  public LambdaInvoker(
      LambdaAsyncClient lambda, String function, boolean ownsClient, SlotInvoker oversized) {
    this(lambda, function, ownsClient, MAX_PAYLOAD_BYTES, oversized);
  }

  /** An invoker that cuts requests above {@code maxPayloadBytes} (tests use small limits). */
  LambdaInvoker(
      LambdaAsyncClient lambda,
      String function,
      boolean ownsClient,
      int maxPayloadBytes,
      SlotInvoker oversized) {
    this.lambda = lambda;
    this.function = function;
    this.ownsClient = ownsClient;
    this.maxPayloadBytes = maxPayloadBytes;
    this.oversized = oversized;
  }

  @Override
  public CompletableFuture<OperatorResponse> invoke(OperatorRequest request) {
    byte[] whole = Protocol.write(request);
    if (whole.length <= maxPayloadBytes) {
      return send(whole); // the usual case: encoded once, sent as it is
    }
    List<OperatorRequest> parts;
    try {
      parts = cut(request, maxPayloadBytes);
    } catch (RecordTooLargeException e) {
      if (oversized == null) {
        throw e;
      }
      return oversized.invoke(request); // the same protocol and commits, in this process
    }
    CompletableFuture<OperatorResponse> chain = send(Protocol.write(parts.get(0)));
    for (int i = 1; i < parts.size(); i++) {
      OperatorRequest next = parts.get(i);
      chain =
          chain.thenCompose(
              previous ->
                  previous.status() == OperatorResponse.Status.COMMITTED
                      ? send(Protocol.write(next))
                      : CompletableFuture.completedFuture(previous));
    }
    return chain;
  }

  /** Cuts {@code request} into requests of at most {@code maxBytes} encoded bytes. */
  static List<OperatorRequest> cut(OperatorRequest request, int maxBytes) {
    List<OperatorRequest> parts = new ArrayList<>();
    int envelope = Protocol.write(request.part(0, 0)).length;
    int countBytes = request.keyed() == null ? 0 : 12; // a count and its comma, at most
    List<SourceRecord> records = request.records();
    int first = 0;
    long bytes = envelope;
    for (int i = 0; i < records.size(); i++) {
      SourceRecord r = records.get(i);
      long size = Protocol.write(r).length + 1L + countBytes;
      if (envelope + size > maxBytes) {
        throw new RecordTooLargeException(
            "record "
                + r.sequence()
                + " of split "
                + request.split()
                + " is "
                + size
                + " bytes encoded, more than one operator request holds ("
                + maxBytes
                + "); Lambda's payload limit is 6 MB");
      }
      if (bytes + size > maxBytes && i > first) {
        parts.add(request.part(first, i));
        first = i;
        bytes = envelope;
      }
      bytes += size;
    }
    parts.add(request.part(first, records.size()));
    return parts;
  }

  private CompletableFuture<OperatorResponse> send(byte[] request) {
    return lambda
        .invoke(
            b ->
                b.functionName(function)
                    .invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(SdkBytes.fromByteArrayUnsafe(request)))
        .thenApply(this::answer);
  }

  private OperatorResponse answer(InvokeResponse response) {
    byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArray();
    if (response.functionError() != null) {
      throw new OperatorFailedException(
          "operator function "
              + function
              + " failed ("
              + response.functionError()
              + "): "
              + new String(payload, StandardCharsets.UTF_8));
    }
    return Protocol.readResponse(payload);
  }

  @Override
  public void close() {
    if (ownsClient) {
      lambda.close();
    }
  }

  /** One record alone is larger than an operator request may be. */
  static final class RecordTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    RecordTooLargeException(String message) {
      super(message);
    }
  }

  /** The operator function answered with an error. */
  public static final class OperatorFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OperatorFailedException(String message) {
      super(message);
    }
  }
}
