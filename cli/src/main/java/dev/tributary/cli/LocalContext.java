package dev.tributary.cli;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import dev.tributary.local.lambda.Invocation;
import java.nio.charset.StandardCharsets;

/**
 * The {@link Context} a handler gets on the local Lambda endpoint, from the invocation it runs: the
 * time left counts down to the function's timeout (so the coordinator answers before it, as on
 * AWS), the request id and the function's name are the endpoint's; the rest is what a function of
 * the local account without a client or identity would see.
 */
final class LocalContext implements Context {
  private static final String ACCOUNT = "000000000000";
  private static final String REGION = "us-east-1";
  private final Invocation invocation;

  LocalContext(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public String getAwsRequestId() {
    return invocation.requestId();
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + invocation.functionName();
  }

  @Override
  public String getLogStreamName() {
    return "local/[$LATEST]" + invocation.requestId();
  }

  @Override
  public String getFunctionName() {
    return invocation.functionName();
  }

  @Override
  public String getFunctionVersion() {
    return "$LATEST";
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + invocation.functionName();
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.min(Integer.MAX_VALUE, invocation.remainingMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    return (int) Math.min(10_240, Runtime.getRuntime().maxMemory() / (1024 * 1024));
  }

  @Override
  public LambdaLogger getLogger() {
    return new LambdaLogger() {
      @Override
      public void log(String message) {
        System.out.print(message);
      }

      @Override
      public void log(byte[] message) {
        System.out.print(new String(message, StandardCharsets.UTF_8));
      }
    };
  }
}
