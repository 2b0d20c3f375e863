package dev.tributary.local.lambda;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.local.dynamodb.LocalClients;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidRequestContentException;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.RequestTooLargeException;

/**
 * Invoke API rules a review checked against AWS's documentation and the AWS Lambda Java runtime
 * (which serves Java handlers on AWS): payloads that are not JSON, invalid function references and
 * invocation types, messageless exceptions, errors that keep or end an instance, initialization
 * failures, and events queued while a function is switched off. Each test names what AWS does; each
 * failed before LocalLambda followed it.
 */
class LocalLambdaInvokeRulesIT {
  private LocalLambda lambda;
  private LambdaClient client;

  @BeforeEach
  void start() {
    lambda = LocalLambda.start();
    client = LocalClients.lambda(lambda.endpoint());
  }

  @AfterEach
  void stop() {
    client.close();
    lambda.close();
  }

  /**
   * API_Invoke: Payload is "The JSON that you want to provide to your Lambda function as input";
   * InvalidRequestContentException (HTTP 400): "The request body could not be parsed as JSON".
   */
  @Test
  void aSynchronousPayloadThatIsNotJsonIsRefusedAsInvalidRequestContent() {
    lambda.register("echo", () -> p -> p);

    assertThatThrownBy(() -> invoke("echo", "not json", InvocationType.REQUEST_RESPONSE))
        .isInstanceOfSatisfying(
            InvalidRequestContentException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    assertThat(lambda.invocations("echo")).isZero();
  }

  /** The same for an event: AWS refuses it at the API, it is never queued (no 202). */
  @Test
  void anEventPayloadThatIsNotJsonIsRefusedAsInvalidRequestContent() {
    lambda.register("echo", () -> p -> p);

    assertThatThrownBy(() -> invoke("echo", "{\"truncated\":", InvocationType.EVENT))
        .isInstanceOf(InvalidRequestContentException.class);
  }

  /**
   * The AWS Lambda Java runtime (aws-lambda-java-libs, LambdaErrorConverter.fromThrowable) reports
   * the exception's class name as errorMessage when getLocalizedMessage() is null, not "null".
   */
  @Test
  void anExceptionWithoutAMessageReportsItsClassNameAsTheErrorMessage() {
    lambda.register(
        "npe",
        () ->
            p -> {
              throw new NullPointerException();
            });

    InvokeResponse r = invoke("npe", "{}", InvocationType.REQUEST_RESPONSE);

    assertThat(r.functionError()).isEqualTo("Unhandled");
    assertThat(r.payload().asUtf8String())
        .isEqualTo(
            "{\"errorMessage\":\"java.lang.NullPointerException\","
                + "\"errorType\":\"java.lang.NullPointerException\"}");
  }

  /**
   * The AWS Lambda Java runtime (AWSLambda.startRuntimeLoop) ends the runtime process only for a
   * VirtualMachineError (OutOfMemoryError, StackOverflowError, ...) or an IOError; any other Error
   * (AssertionError, NoClassDefFoundError, ExceptionInInitializerError...) is reported as the
   * invocation's error and the same execution environment serves the next invocation.
   */
  @Test
  void anErrorThatIsNotAVirtualMachineErrorKeepsTheInstance() {
    AtomicInteger calls = new AtomicInteger();
    lambda.register(
        "asserts",
        () ->
            p -> {
              if (calls.incrementAndGet() == 1) {
                throw new AssertionError("broken invariant");
              }
              return "\"ok\"".getBytes(UTF_8);
            });

    assertThat(invoke("asserts", "{}", InvocationType.REQUEST_RESPONSE).functionError())
        .isEqualTo("Unhandled");
    assertThat(invoke("asserts", "{}", InvocationType.REQUEST_RESPONSE).functionError()).isNull();

    assertThat(lambda.containers("asserts")).isEqualTo(1);
  }

  /**
   * API_Invoke: FunctionName must match InvokeApi.REFERENCE_PATTERN (the reference's pattern); AWS
   * answers a value outside it with 400 ValidationException ("1 validation error detected: Value
   * '...' at 'functionName' failed to satisfy constraint"), not by running a function.
   */
  @Test
  void aReferenceWithTwoQualifiersIsAValidationErrorNotAnInvocation() {
    lambda.register("echo", () -> p -> p);

    assertThatThrownBy(() -> invoke("echo:v1:extra", "{}", InvocationType.REQUEST_RESPONSE))
        .satisfies(LocalLambdaInvokeRulesIT::isValidationException);
  }

  /**
   * A reference is read by the same pattern that checks it: {@code function:echo} and {@code
   * 000000000000:echo} name {@code echo} (a parser that cut at the first colon read them as
   * functions named {@code function} and {@code 000000000000}).
   */
  @Test
  void aReferenceIsReadByThePatternThatChecksIt() {
    lambda.register("echo", () -> p -> p);
    for (String reference :
        new String[] {
          "function:echo",
          "000000000000:echo",
          "000000000000:function:echo:$LATEST",
          "arn:aws:lambda:us-east-1:000000000000:function:echo:live"
        }) {
      assertThat(invoke(reference, "{}", InvocationType.REQUEST_RESPONSE).statusCode())
          .as(reference)
          .isEqualTo(200);
    }
    assertThat(lambda.invocations("echo")).isEqualTo(4);
  }

  /** The same for characters Lambda never allows in a name: 400, not 404 ResourceNotFound. */
  @Test
  void aNameWithCharactersLambdaRefusesIsAValidationErrorNotResourceNotFound() {
    assertThatThrownBy(() -> invoke("no such name!", "{}", InvocationType.REQUEST_RESPONSE))
        .satisfies(LocalLambdaInvokeRulesIT::isValidationException);
  }

  /**
   * AWS checks the X-Amz-Invocation-Type enum as a request constraint: 400 with {@code
   * x-amzn-ErrorType: ValidationException} and "1 validation error detected: Value '...' at
   * 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [DryRun,
   * RequestResponse, Event]" (the wire answer quoted in ex-aws/ex_aws#442). The SDK then throws a
   * plain LambdaException, not InvalidParameterValueException.
   */
  @Test
  void anUnknownInvocationTypeIsAValidationException() {
    lambda.register("echo", () -> p -> p);

    assertThatThrownBy(
            () ->
                client.invoke(
                    b ->
                        b.functionName("echo")
                            .invocationType("Sometimes")
                            .payload(SdkBytes.fromUtf8String("{}"))))
        .satisfies(LocalLambdaInvokeRulesIT::isValidationException);
  }

  /**
   * Reserved concurrency 0 switches a function off; AWS keeps throttled events in the function's
   * asynchronous queue (up to 6 hours) and runs them once concurrency is raised again. Locally the
   * way to raise it is to register the function again, which makes a new host: the events queued in
   * the old one move to it (they used to be stranded there).
   */
  @Test
  void eventsQueuedWhileAFunctionIsSwitchedOffRunOnceItIsSwitchedBackOn() throws Exception {
    lambda.register("off", () -> p -> p, FunctionConfig.defaults().withReservedConcurrency(0));
    assertThat(invoke("off", "{}", InvocationType.EVENT).statusCode()).isEqualTo(202);

    lambda.register("off", () -> p -> p, FunctionConfig.defaults().withReservedConcurrency(1));

    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (lambda.invocations("off") == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(lambda.invocations("off")).isEqualTo(1);
  }

  /**
   * A handler whose initialisation fails with an Error (ExceptionInInitializerError from a static
   * initialiser, NoClassDefFoundError for a missing dependency) is a function error on AWS: the
   * Invoke answers 200 with X-Amz-Function-Error: Unhandled and the error document (API_Invoke:
   * "The status code in the API response doesn't reflect function errors"). Locally the Error used
   * to escape the HTTP handler: the connection was dropped without an answer, and the SDK saw an
   * SdkClientException.
   */
  @Test
  void anErrorWhileMakingTheInstanceIsAFunctionErrorNotADroppedConnection() {
    lambda.register(
        "bad-init",
        () -> {
          throw new ExceptionInInitializerError("static init failed");
        });

    InvokeResponse r = invoke("bad-init", "{}", InvocationType.REQUEST_RESPONSE);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    assertThat(r.payload().asUtf8String()).contains("java.lang.ExceptionInInitializerError");
  }

  /** The same for an event: it is a function error, retried twice, then counted as failed. */
  @Test
  void anEventWhoseInstanceCannotBeMadeIsRetriedAndCountedAsFailed() throws Exception {
    lambda.register(
        "bad-init",
        () -> {
          throw new NoClassDefFoundError("com/example/Missing");
        });

    assertThat(invoke("bad-init", "{}", InvocationType.EVENT).statusCode()).isEqualTo(202);

    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (lambda.stats("bad-init").eventsFailed() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(lambda.stats("bad-init").eventRetries()).isEqualTo(2);
    assertThat(lambda.stats("bad-init").eventsFailed()).isEqualTo(1);
  }

  /**
   * API_Invoke: "For synchronous invocations, the maximum payload size is 6 MB. For asynchronous
   * invocations, the maximum payload size is 1 MB." A larger request is refused (413
   * RequestTooLargeException) before anything runs; one at the limit is taken.
   */
  @Test
  void requestsLargerThanTheInvokeLimitsAreRefusedAsTooLarge() {
    lambda.register("echo", () -> p -> "{}".getBytes(UTF_8));
    int mib = 1024 * 1024;
    assertThat(invoke("echo", jsonOfSize(6 * mib), InvocationType.REQUEST_RESPONSE).statusCode())
        .isEqualTo(200);
    assertThatThrownBy(
            () -> invoke("echo", jsonOfSize(6 * mib + 1), InvocationType.REQUEST_RESPONSE))
        .isInstanceOfSatisfying(
            RequestTooLargeException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(413);
              assertThat(e.getMessage()).contains("smaller than 6291456 bytes");
            });
    assertThat(invoke("echo", jsonOfSize(mib), InvocationType.EVENT).statusCode()).isEqualTo(202);
    assertThatThrownBy(() -> invoke("echo", jsonOfSize(mib + 1), InvocationType.EVENT))
        .isInstanceOfSatisfying(
            RequestTooLargeException.class,
            e -> assertThat(e.getMessage()).contains("smaller than 1048576 bytes"));
    assertThat(lambda.invocations("echo"))
        .as("only the two within the limits")
        .isLessThanOrEqualTo(2);
  }

  /** A JSON string of exactly {@code bytes} bytes. */
  private static String jsonOfSize(int bytes) {
    return "\"" + "x".repeat(bytes - 2) + "\"";
  }

  /** AWS's answer to a request parameter outside its constraint. */
  private static void isValidationException(Throwable thrown) {
    assertThat(thrown)
        .isInstanceOfSatisfying(
            LambdaException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
              assertThat(e.awsErrorDetails().errorMessage())
                  .startsWith("1 validation error detected: Value '");
            });
  }

  private InvokeResponse invoke(String function, String payload, InvocationType type) {
    return client.invoke(
        b ->
            b.functionName(function)
                .invocationType(type)
                .payload(SdkBytes.fromString(payload, UTF_8)));
  }
}
