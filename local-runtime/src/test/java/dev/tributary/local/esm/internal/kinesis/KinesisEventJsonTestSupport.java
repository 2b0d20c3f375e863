package dev.tributary.local.esm.internal.kinesis;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

/** The Lambda Java runtime's reader of Kinesis events, for the unit tests. */
final class KinesisEventJsonTestSupport {
  static final PojoSerializer<KinesisEvent> RUNTIME =
      LambdaEventSerializers.serializerFor(KinesisEvent.class, KinesisEvent.class.getClassLoader());

  private KinesisEventJsonTestSupport() {}
}
