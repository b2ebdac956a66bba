/**
 * Which record a PDF belongs to. Rules (docs/scans.md, "Linking"):
 * 1. A record with a `TenFile` expects exactly that file name (trimmed, any folder part dropped, ".pdf"
 *    appended when missing).
 * 2. A record without one expects the default name, `{so}.pdf` with "/" → "-" (e.g. `01-2018.pdf`);
 *    the pattern is configurable (`{so}`, `{n}`, `{yyyy}`).
 * 3. Names compare after NFC normalisation and lower-casing.
 * 4. Shared-page copies `name(1).pdf … name(n).pdf` link only through `TenFile`: the copy is one event's
 *    file and only `TenFile` says which event. Without `TenFile`, a `(k)` copy is an orphan
 *    (`UNLINKED_SHARED_COPY`), since default names never contain "(k)".
 * 5. Two records expecting the same name make that name ambiguous: a file with it links to neither.
 */
import { z } from 'zod';
import { InvalidInput } from '../errors.js';
import { SoDangKy } from '../records/record.js';
import { nameKey } from './entry-name.js';

/** One record of the book as the Scan stage needs it. `so` is validated: it ends up in the object key. */
export const ExpectedScan = z.object({
  so: SoDangKy,
  tenFile: z.string().nullish(),
});
export type ExpectedScan = z.infer<typeof ExpectedScan>;

export const DEFAULT_NAME_PATTERN = '{so}.pdf';

/** The default file name of a record without `TenFile`. */
export function defaultScanName(so: string, pattern = DEFAULT_NAME_PATTERN): string {
  const [n, yyyy] = so.split('/');
  return pattern
    .replaceAll('{so}', so.replaceAll('/', '-'))
    .replaceAll('{n}', n ?? '')
    .replaceAll('{yyyy}', yyyy ?? '');
}

/** `TenFile` as keyed: spreadsheet cells carry spaces, sometimes a folder, sometimes no extension. */
export function normaliseTenFile(tenFile: string): string {
  const base = tenFile.trim().split(/[\\/]/).pop()!.trim();
  return /\.pdf$/i.test(base) ? base : `${base}.pdf`;
}

/** The file name a record expects. */
export function expectedFileName(record: ExpectedScan, pattern = DEFAULT_NAME_PATTERN): string {
  return record.tenFile?.trim() ? normaliseTenFile(record.tenFile) : defaultScanName(record.so, pattern);
}

/** `name(k).pdf`: a copy of a page shared by several events. */
export const SHARED_COPY = /^(.*)\((\d+)\)\.pdf$/i;

export type LinkResult = { kind: 'record'; so: string; expectedName: string } | { kind: 'ambiguous'; sos: string[] } | { kind: 'none'; sharedCopy: boolean };

export interface LinkIndex {
  link(baseName: string): LinkResult;
  /** Expected file name per `so`, for reports. */
  expectedNames: ReadonlyMap<string, string>;
}

/**
 * Builds the name → record index for a book.
 * @throws InvalidInput when a record's `so` is malformed or two records share a `so` (the caller's data
 *   is broken; storing by `so` would let one scan overwrite another)
 */
export function buildLinkIndex(expected: readonly ExpectedScan[], pattern = DEFAULT_NAME_PATTERN): LinkIndex {
  const parsed = z.array(ExpectedScan).safeParse(expected);
  if (!parsed.success) throw new InvalidInput('Danh sách bản ghi của quyển sổ không hợp lệ', { issues: parsed.error.issues });
  const byKey = new Map<string, { so: string; name: string }[]>();
  const expectedNames = new Map<string, string>();
  for (const r of parsed.data) {
    if (expectedNames.has(r.so)) throw new InvalidInput('Danh sách bản ghi có số đăng ký trùng nhau', { so: r.so });
    const name = expectedFileName(r, pattern);
    expectedNames.set(r.so, name);
    const key = nameKey(name);
    byKey.set(key, [...(byKey.get(key) ?? []), { so: r.so, name }]);
  }
  return {
    expectedNames,
    link(baseName) {
      const hits = byKey.get(nameKey(baseName));
      if (!hits) return { kind: 'none', sharedCopy: SHARED_COPY.test(baseName.normalize('NFC')) };
      if (hits.length > 1) return { kind: 'ambiguous', sos: hits.map((h) => h.so) };
      return { kind: 'record', so: hits[0]!.so, expectedName: hits[0]!.name };
    },
  };
}
