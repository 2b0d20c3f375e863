package dev.tributary.cli;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.tributary.local.lambda.Invocation;
import dev.tributary.local.lambda.LocalLambda;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

/**
 * A {@link RequestHandler} as a function of the local Lambda endpoint, with the (de)serialization
 * the Lambda Java runtime applies: events of {@code aws-lambda-java-events} through {@link
 * LambdaEventSerializers} (its mix-ins: base64 data, epoch-second dates, field names as AWS sends
 * them), other types through the runtime's Jackson factory. So a handler sees locally exactly what
 * it sees on AWS. Handlers get a {@link LocalContext} of the invocation they run (null outside the
 * endpoint): the time left counts down to the function's timeout, so the coordinator answers before
 * it, as on AWS.
 */
public final class LambdaAdapter {
  private LambdaAdapter() {}

  /** {@code handler}, reading {@code input} and writing {@code output} as Lambda does. */
  public static <I, O> LocalLambda.Function of(
      RequestHandler<I, O> handler, Class<I> input, Class<O> output) {
    PojoSerializer<I> in = serializer(input);
    PojoSerializer<O> out = serializer(output);
    return payload -> {
      I event = in.fromJson(new ByteArrayInputStream(payload));
      O result =
          handler.handleRequest(event, Invocation.current().map(LocalContext::new).orElse(null));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      out.toJson(result, bytes);
      return bytes.toByteArray();
    };
  }

  /** The serializer the Lambda Java runtime uses for {@code type}. */
  public static <T> PojoSerializer<T> serializer(Class<T> type) {
    ClassLoader loader = LambdaAdapter.class.getClassLoader();
    if (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
      return LambdaEventSerializers.serializerFor(type, loader);
    }
    return JacksonFactory.getInstance().getSerializer(type);
  }
}
