import { z } from 'zod';

const MiB = 1024 * 1024;

/**
 * Limits of one scan delivery. Defaults suit one book (a busy book holds over 1,000 events, a PDF per
 * event of a few A4 pages at ~100 kB each); every one is configurable per call.
 */
export const ScanLimits = z.object({
  /** More entries than this in the central directory refuses the archive as a whole (`TOO_MANY_ENTRIES`). */
  maxEntries: z.number().int().positive().default(20_000),
  /** Largest PDF, counted in inflated bytes (`TOO_LARGE`). One entry is held in memory at a time, so this bounds memory. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(50 * MiB),
  /** Inflated bytes allowed for the whole archive, counted as they come out of the inflater (`ARCHIVE_LIMIT`). */
  maxTotalBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * MiB),
  /** Inflated/compressed ratio above which an entry is a zip bomb (`ZIP_BOMB`)… */
  maxCompressionRatio: z.number().positive().default(100),
  /** …once this many bytes were inflated: a tiny PDF may legitimately compress 100:1. */
  ratioGraceBytes: z
    .number()
    .int()
    .nonnegative()
    .default(1 * MiB),
  /** Guidance 1437: about 100 kB per A4 page. Above it the file gets a `LARGE_PAGES` warning, never a rejection. */
  kbPerPageWarning: z.number().positive().default(100),
  /** Block size of the range reads (one S3 GET each) and how many blocks are cached. */
  readBlockBytes: z
    .number()
    .int()
    .positive()
    .default(1 * MiB),
  readCacheBlocks: z.number().int().positive().default(4),
});
export type ScanLimits = z.infer<typeof ScanLimits>;

/** Defaults merged with overrides. @throws ZodError when an override is out of range (a programming error). */
export function scanLimits(overrides: Partial<ScanLimits> = {}): ScanLimits {
  return ScanLimits.parse(overrides);
}
