// Feature versions (KIP-584) as the Overview shows them: each feature the brokers support with its
// range, the cluster's finalized level (ApiVersions v3+), and a change to one level (UpdateFeatures).
import { z } from 'zod';
import { connectionIdSchema } from './schemas';

export const clusterFeatureSchema = z.object({
  name: z.string(),
  /** The finalized level; 0 when not finalized (Kafka omits level 0 from ApiVersions). */
  finalized: z.number().int(),
  /** The range the brokers support; null for a finalized feature the brokers do not list. */
  supported: z.object({ min: z.number().int(), max: z.number().int() }).nullable(),
  /** Each level of the supported range with its name where it has one (metadata.version: "4.0-IV3"). */
  levels: z.array(z.object({ level: z.number().int(), label: z.string() })),
});
export type ClusterFeature = z.infer<typeof clusterFeatureSchema>;

export const clusterFeaturesSchema = z.object({
  features: z.array(clusterFeatureSchema),
  /** The finalized features' epoch; -1 when the cluster has no feature versioning. */
  epoch: z.number(),
  /** Why the cluster shows no features ("needs Kafka 2.7 or later"), null when it has versioning. */
  unsupported: z.string().nullable(),
  /** Why levels cannot be changed from here, null when UpdateFeatures is available. */
  updateUnsupported: z.string().nullable(),
  readAt: z.number(),
});
export type ClusterFeatures = z.infer<typeof clusterFeaturesSchema>;

/** UpdateFeatures' upgrade types (KIP-778): a downgrade must say whether it may lose metadata. */
export const featureUpgradeTypeSchema = z.enum(['upgrade', 'safe-downgrade', 'unsafe-downgrade']);
export type FeatureUpgradeType = z.infer<typeof featureUpgradeTypeSchema>;

export const featureUpdateRequestSchema = z
  .object({
    connectionId: connectionIdSchema,
    /** Kafka's feature names: lower case words with dots (metadata.version, share.version). */
    feature: z
      .string()
      .min(1)
      .max(249)
      .regex(/^[a-z0-9._-]+$/, 'A feature name is lower-case letters, digits, dots, dashes and underscores.'),
    level: z.number().int().min(0).max(32_767),
    upgradeType: featureUpgradeTypeSchema,
    /** Ask the controller to validate the change without applying it (UpdateFeatures v1+). */
    validateOnly: z.boolean(),
  })
  .strict();
export type FeatureUpdateRequest = z.infer<typeof featureUpdateRequestSchema>;

export const featureUpdateResultSchema = z.object({
  /** The features after the change (or as they are, when only validated). */
  features: clusterFeaturesSchema,
  validatedOnly: z.boolean(),
});
export type FeatureUpdateResult = z.infer<typeof featureUpdateResultSchema>;
