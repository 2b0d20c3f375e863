package dev.tributary.local.dynamodb.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON protocol around the operations: how request fields of the wrong JSON type are reported
 * (SerializationException, whose message key is "Message"), lenient booleans, base64 checks,
 * unknown operations.
 */
class ProtocolConformanceIT extends ConformanceSupport {
  private static final String TABLE = "protocol";

  @BeforeAll
  void tables() {
    createHashRangeTable(TABLE);
    put(TABLE, "{'pk':{'S':'a'},'sk':{'N':'1'},'v':{'S':'x'}}");
  }

  static Stream<Arguments> requests() {
    String key = "'Key':{'pk':{'S':'a'},'sk':{'N':'1'}}";
    return Stream.of(
        Arguments.of("GetItem", "{'TableName':5}"),
        Arguments.of("GetItem", "{'TableName':true}"),
        Arguments.of("GetItem", "{'TableName':'" + TABLE + "','Key':{'pk':{'S':5}}}"),
        Arguments.of("GetItem", "{'TableName':'" + TABLE + "','Key':[1]}"),
        Arguments.of("GetItem", "{'TableName':'" + TABLE + "'," + key + ",'ConsistentRead':'yes'}"),
        Arguments.of("GetItem", "{'TableName':'" + TABLE + "'," + key + ",'ConsistentRead':'0'}"),
        Arguments.of(
            "GetItem", "{'TableName':'" + TABLE + "'," + key + ",'ConsistentRead':'maybe'}"),
        Arguments.of("GetItem", "{'TableName':'" + TABLE + "'," + key + ",'ConsistentRead':1}"),
        Arguments.of(
            "GetItem", "{'TableName':'" + TABLE + "'," + key + ",'ConsistentRead':[true]}"),
        Arguments.of("Query", "{'TableName':'" + TABLE + "','Limit':'5'}"),
        Arguments.of("Scan", "{'TableName':'" + TABLE + "','Limit':2.7}"),
        Arguments.of("Scan", "{'TableName':'" + TABLE + "','Limit':[2]}"),
        Arguments.of("Scan", "{'TableName':'" + TABLE + "','Segment':{},'TotalSegments':2}"),
        Arguments.of(
            "PutItem",
            "{'TableName':'" + TABLE + "','Item':{'pk':{'S':'b'},'sk':{'N':'1'},'b':{'B':'abc'}}}"),
        Arguments.of(
            "PutItem",
            "{'TableName':'"
                + TABLE
                + "','Item':{'pk':{'S':'b'},'sk':{'N':'1'},'b':{'B':'AB=='}}}"),
        Arguments.of(
            "PutItem",
            "{'TableName':'"
                + TABLE
                + "','Item':{'pk':{'S':'b'},'sk':{'N':'2'},'t':{'BOOL':'yes'},'z':{'NULL':'TRUE'}},"
                + "'ReturnValues':'ALL_OLD'}"),
        Arguments.of(
            "GetItem", "{'TableName':'" + TABLE + "','Key':{'pk':{'S':'b'},'sk':{'N':'2'}}}"),
        Arguments.of(
            "PutItem",
            "{'TableName':'" + TABLE + "','Item':{'pk':{'S':'b'},'sk':{'N':'3'},'l':{'L':{}}}}"),
        Arguments.of(
            "PutItem",
            "{'TableName':'" + TABLE + "','Item':{'pk':{'S':'b'},'sk':{'N':'3'},'n':{'N':3}}}"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("requests")
  void fieldTypesAreCheckedAlike(String op, String body) {
    both(op, body).assertSame();
  }

  @Test
  void unknownOperationIsReportedWithTheOperationOnOurSide() {
    Exchange e = both("DescribeEndpointsAndMore", "{}").assertSameStatusAndType();
    assertThat(e.ours().errorType()).isEqualTo("UnknownOperationException");
    // AWS and dynalite send no message; we name the operation (the type is what SDKs read)
    assertThat(e.ours().message()).isEqualTo("Unknown operation: DescribeEndpointsAndMore");
    assertThat(e.dynalite().message()).isNull();
  }

  @Test
  void malformedJsonIsASerializationException() {
    Exchange e = both("GetItem", "{'TableName':").assertSameStatusAndType();
    assertThat(e.ours().errorType()).isEqualTo("SerializationException");
  }
}
