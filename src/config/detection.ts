/** The detection section on its own: `analyze` and `backtest` need only this part of a config file. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { DetectOptions } from '../detect/types.js';
import { ConfigError, formatIssues } from './load.js';
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) throw new ConfigError(`${path}: invalid YAML: ${document.errors[0]!.message}`);
  const result = detectionOnly.safeParse(document.toJS() ?? {});
  if (!result.success) throw new ConfigError(`${path}: invalid configuration:\n${formatIssues(result.error.issues)}`);
  return toDetectOptions(result.data.detection);
}
