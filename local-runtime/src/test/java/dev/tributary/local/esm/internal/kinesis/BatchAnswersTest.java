package dev.tributary.local.esm.internal.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.local.esm.Delivery;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchAnswersTest {
  private static final List<String> BATCH = List.of("100", "200", "300", "400");

  private static Delivery.Answer parse(String answer) {
    return BatchAnswers.parse(
        answer == null ? null : answer.getBytes(StandardCharsets.UTF_8), BATCH, true);
  }

  @Test
  void emptyOrNullAnswersAndListsAreSuccesses() {
    assertThat(parse(null)).isInstanceOf(Delivery.Success.class);
    assertThat(parse("")).isInstanceOf(Delivery.Success.class);
    assertThat(parse("null")).isInstanceOf(Delivery.Success.class);
    assertThat(parse("{}")).isInstanceOf(Delivery.Success.class);
    assertThat(parse("{\"batchItemFailures\":null}")).isInstanceOf(Delivery.Success.class);
    assertThat(parse("{\"batchItemFailures\":[]}")).isInstanceOf(Delivery.Success.class);
  }

  /** As the Kafka mapping answers them: AWS lists only empty or null answers as success. */
  @Test
  void answersThatAreNotObjectsFailTheWholeBatch() {
    for (String bad : List.of("\"ok\"", "[]", "42", "true")) {
      assertThat(parse(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              Delivery.FunctionError.class,
              e ->
                  assertThat(e.message())
                      .contains("the function answered " + bad)
                      .contains("an object with a batchItemFailures list"));
    }
  }

  @Test
  void theReportedRecordIsWhereTheRetryStarts() {
    assertThat(parse("{\"batchItemFailures\":[{\"itemIdentifier\":\"300\"}]}"))
        .isEqualTo(new Delivery.PartialFailure(2));
  }

  @Test
  void severalReportedRecordsRetryFromTheLowestSequenceNumber() {
    assertThat(
            parse(
                "{\"batchItemFailures\":[{\"itemIdentifier\":\"400\"},"
                    + "{\"itemIdentifier\":\"200\"},{\"itemIdentifier\":\"300\"}]}"))
        .isEqualTo(new Delivery.PartialFailure(1));
  }

  @Test
  void badIdentifiersFailTheWholeBatch() {
    for (String bad :
        List.of(
            "{\"batchItemFailures\":[{\"itemIdentifier\":\"999\"}]}",
            "{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}",
            "{\"batchItemFailures\":[{\"itemIdentifier\":null}]}",
            "{\"batchItemFailures\":[{\"itemId\":\"200\"}]}",
            "{\"batchItemFailures\":[{\"itemIdentifier\":200}]}",
            "{\"batchItemFailures\":[{\"itemIdentifier\":\"200\"},{\"itemIdentifier\":\"9\"}]}",
            "{\"batchItemFailures\":\"200\"}")) {
      assertThat(parse(bad)).as(bad).isEqualTo(new Delivery.PartialFailure(-1));
    }
  }

  @Test
  void anAnswerThatIsNotJsonIsAFailureSayingWhatWasExpected() {
    assertThat(parse("{oops"))
        .isInstanceOfSatisfying(
            Delivery.FunctionError.class,
            e -> assertThat(e.message()).contains("not JSON").contains("itemIdentifier"));
  }

  @Test
  void withoutReportBatchItemFailuresTheAnswerIsNotRead() {
    byte[] failure = "{\"batchItemFailures\":[{\"itemIdentifier\":\"300\"}]}".getBytes();
    assertThat(BatchAnswers.parse(failure, BATCH, false)).isInstanceOf(Delivery.Success.class);
  }

  @Test
  void readsTheStreamsEventResponseOfTheLambdaEventsLibrary() throws Exception {
    // what coordinator-function's KinesisHandler returns, as the Java runtime serializes it
    StreamsEventResponse response =
        StreamsEventResponse.builder()
            .withBatchItemFailures(
                List.of(
                    StreamsEventResponse.BatchItemFailure.builder()
                        .withItemIdentifier("200")
                        .build()))
            .build();
    byte[] json = new ObjectMapper().writeValueAsBytes(response);
    assertThat(BatchAnswers.parse(json, BATCH, true)).isEqualTo(new Delivery.PartialFailure(1));
    byte[] none =
        new ObjectMapper()
            .writeValueAsBytes(
                StreamsEventResponse.builder().withBatchItemFailures(List.of()).build());
    assertThat(BatchAnswers.parse(none, BATCH, true)).isInstanceOf(Delivery.Success.class);
  }
}
