// metadata.version (KIP-778): Kafka's MetadataVersion levels and their names, used by the embedded
// controller (which levels change the metadata format) and by the app (the Overview names the levels).
/** metadata.version levels (MetadataVersion's feature levels), their names and whether the metadata format changed at them. */
export const METADATA_VERSIONS: ReadonlyArray<{ level: number; name: string; changed: boolean }> = [
  { level: 1, name: '3.0-IV1', changed: true },
  { level: 2, name: '3.1-IV0', changed: false },
  { level: 3, name: '3.2-IV0', changed: true },
  { level: 4, name: '3.3-IV0', changed: false },
  { level: 5, name: '3.3-IV1', changed: true },
  { level: 6, name: '3.3-IV2', changed: true },
  { level: 7, name: '3.3-IV3', changed: true },
  { level: 8, name: '3.4-IV0', changed: true },
  { level: 9, name: '3.5-IV0', changed: false },
  { level: 10, name: '3.5-IV1', changed: false },
  { level: 11, name: '3.5-IV2', changed: true },
  { level: 12, name: '3.6-IV0', changed: false },
  { level: 13, name: '3.6-IV1', changed: true },
  { level: 14, name: '3.6-IV2', changed: true },
  { level: 15, name: '3.7-IV0', changed: true },
  { level: 16, name: '3.7-IV1', changed: false },
  { level: 17, name: '3.7-IV2', changed: true },
  { level: 18, name: '3.7-IV3', changed: false },
  { level: 19, name: '3.7-IV4', changed: false },
  { level: 20, name: '3.8-IV0', changed: false },
  { level: 21, name: '3.9-IV0', changed: false },
  { level: 22, name: '4.0-IV0', changed: false },
  { level: 23, name: '4.0-IV1', changed: true },
  { level: 24, name: '4.0-IV2', changed: false },
  { level: 25, name: '4.0-IV3', changed: false },
  // Not in the apache/kafka snapshot read: taken as changing the metadata, so a downgrade across them is refused.
  { level: 26, name: '4.1-IV0', changed: true },
  { level: 27, name: '4.1-IV1', changed: true },
];

/** "4.0-IV3" for 25; the number itself when unknown. */
export function metadataVersionName(level: number): string {
  return METADATA_VERSIONS.find((v) => v.level === level)?.name ?? String(level);
}
