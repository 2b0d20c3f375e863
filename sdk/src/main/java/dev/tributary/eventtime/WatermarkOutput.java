package dev.tributary.eventtime;

/**
 * Where a {@link WatermarkGenerator} reports progress; lower watermarks than before are ignored.
 */
public interface WatermarkOutput {
  /** Declares that no element with a timestamp at or below {@code watermark} should follow. */
  void emitWatermark(long watermark);

  /** Declares the input idle: it holds back no one's watermark until it is active again. */
  void markIdle();

  /** Declares the input active again. */
  void markActive();
}
