/** The detection section on its own: `analyze` and `backtest` need only this part of a config file. */
import { z } from 'zod';
import type { DetectOptions } from '../detect/types.js';
import { invalidConfig } from '../model/config-error.js';
import { parseYamlFile, readConfigFile, zodProblems } from './load.js';
import { configSchema, type Config } from './schema.js';

export function toDetectOptions(detection: Config['detection']): DetectOptions {
  return {
    windowSeconds: detection.window,
    minGrowthBytesPerHour: detection.minGrowth,
    oomHorizonSeconds: detection.oomHorizon,
    maxStalenessSeconds: detection.maxStaleness,
    minHistorySeconds: detection.minHistory,
    minCoverage: detection.minCoverage,
    maxGapSeconds: detection.maxGap,
    ...(detection.floorBucket === undefined ? {} : { floorBucketSeconds: detection.floorBucket }),
    ...(detection.fastGrowth === undefined ? {} : { fastGrowthBytesPerHour: detection.fastGrowth }),
    ...(detection.sustained === undefined ? {} : { sustainedSeconds: detection.sustained }),
    ...(detection.warmup === undefined ? {} : { warmupSeconds: detection.warmup }),
    ...(detection.relativeRise === undefined ? {} : { relativeRiseFraction: detection.relativeRise }),
    ...(detection.restartDrop === undefined ? {} : { restartDropFraction: detection.restartDrop }),
  };
}

const detectionOnly = z.object({ detection: configSchema.shape.detection });

/** Reads `detection:` from a config file, ignoring the other sections (they may be incomplete locally). */
export async function loadDetectOptions(path: string): Promise<DetectOptions> {
  const raw = parseYamlFile(await readConfigFile(path), path) ?? {};
  const result = detectionOnly.safeParse(raw);
  if (!result.success) throw invalidConfig(path, zodProblems(result.error.issues));
  return toDetectOptions(result.data.detection);
}
