package dev.tributary.local.dynamodb.internal.storage;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a table that are not its data: status, billing, throughput, TTL, tags, and the
 * parts of its description that are echoed back as given (streams, SSE). Guarded by the database
 * lock like the data.
 */
public final class TableMeta {
  /** When the table was created, epoch seconds. */
  public final double creationDateTime;

  /** The table ARN. */
  public final String arn;

  /** The table id. */
  public final String tableId;

  /** ACTIVE, CREATING, UPDATING or DELETING. */
  public String status = "ACTIVE";

  /** PROVISIONED or PAY_PER_REQUEST. */
  public String billingMode;

  /** Provisioned read capacity (0 for on-demand). */
  public long readCapacity;

  /** Provisioned write capacity (0 for on-demand). */
  public long writeCapacity;

  /** Decreases and last changes of the table's provisioned throughput. */
  public ThroughputChanges throughputChanges = ThroughputChanges.NONE;

  /** Decreases and last changes of each GSI's provisioned throughput. */
  public final Map<String, ThroughputChanges> indexThroughputChanges = new LinkedHashMap<>();

  /** When the table last switched to on-demand, epoch seconds (0: at creation, or never). */
  public double lastUpdateToPayPerRequest;

  /** Provisioned throughput of each GSI: [read, write]. */
  public final Map<String, long[]> indexThroughput = new LinkedHashMap<>();

  /** Status of each GSI. */
  public final Map<String, String> indexStatus = new LinkedHashMap<>();

  /** The TTL attribute, or null. */
  public String ttlAttribute;

  /** Whether TTL is enabled. */
  public boolean ttlEnabled;

  /** Whether the table refuses DeleteTable. */
  public boolean deletionProtection;

  /** The recovery period when none is given. */
  public static final int DEFAULT_RECOVERY_PERIOD_DAYS = 35;

  /** Whether point-in-time recovery is enabled (nothing is backed up locally). */
  public boolean pointInTimeRecovery;

  /** When point-in-time recovery was enabled, epoch seconds. */
  public double pointInTimeRecoveryEnabledAt;

  /** The point-in-time recovery period, 1 to 35 days. */
  public int recoveryPeriodInDays = DEFAULT_RECOVERY_PERIOD_DAYS;

  /** Tags by key. */
  public final Map<String, String> tags = new LinkedHashMap<>();

  /** StreamSpecification as given, or null. */
  public JsonNode streamSpecification;

  /** SSESpecification as given, or null. */
  public JsonNode sseSpecification;

  /** TableClass as given, or null. */
  public String tableClass;

  /** Creates the settings of a new table. */
  public TableMeta(double creationDateTime, String arn, String tableId) {
    this.creationDateTime = creationDateTime;
    this.arn = arn;
    this.tableId = tableId;
  }
}
