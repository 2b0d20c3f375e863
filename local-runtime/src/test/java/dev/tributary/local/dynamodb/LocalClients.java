package dev.tributary.local.dynamodb;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** AWS SDK v2 clients pointed at a local endpoint with dummy credentials. */
public final class LocalClients {
  private LocalClients() {}

  /**
   * A synchronous client for {@code endpoint}, whose socket and attempt timeouts (60 s) outlast a
   * stalled endpoint on a loaded machine: a retried attempt could apply a non-idempotent write
   * twice.
   */
  public static DynamoDbClient client(URI endpoint) {
    return client(endpoint, Duration.ofSeconds(60));
  }

  /** A synchronous client with an API call attempt timeout. */
  public static DynamoDbClient client(URI endpoint, Duration attemptTimeout) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(attemptTimeout).build())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().apiCallAttemptTimeout(attemptTimeout).build())
        .build();
  }

  /**
   * A Kinesis client for {@code endpoint} (kinesis-local's plain HTTP port) that outlasts a stalled
   * kinesis-local (socket and attempt timeouts 2 minutes): a PutRecords retried after a timeout may
   * store its records twice, which would read as the code under test delivering them twice.
   */
  public static KinesisClient kinesis(URI endpoint) {
    return kinesis(endpoint, List.of());
  }

  /** The same with {@code interceptors} (e.g. to change the content type the SDK sends). */
  public static KinesisClient kinesis(URI endpoint, List<ExecutionInterceptor> interceptors) {
    Duration patience = Duration.ofMinutes(2);
    return KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(patience).build())
        .overrideConfiguration(
            ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(patience)
                .executionInterceptors(interceptors)
                .build())
        .build();
  }

  /**
   * A Lambda client for a local Invoke endpoint that does not retry, so a test sees each answer (a
   * 429, a 404) as the endpoint gave it.
   */
  public static LambdaClient lambda(URI endpoint) {
    return LambdaClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
        .httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
