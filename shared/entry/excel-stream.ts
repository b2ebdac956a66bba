/**
 * exceljs's streaming workbook reader, used for what it does well — unzipping as bytes arrive,
 * spooling sheets to temp files until the shared strings are known, workbook.xml (sheet names and
 * states, 1904 dates), styles (number formats) — with the parts that do not fit us replaced:
 *
 * 1. Sheets and shared strings are scanned by `sheet-xml.ts`, not by exceljs's SAX parser and its
 *    Row/Cell objects (4–5× faster on a 70-column book, far less garbage).
 * 2. UTF-8 split across chunks. exceljs 4.4.0 decodes each zip chunk on its own
 *    (`TextDecoder.decode(chunk)` in `utils/parse-sax.js`), so a Vietnamese letter whose bytes straddle
 *    two chunks becomes "��" (exceljs issues #2063, #2316; PRs #1665, #2081 unmerged). Every part we
 *    read is decoded with a streaming decoder; the small parts exceljs still parses get
 *    `setEncoding('utf8')` on their zip entry (Node's decoder keeps partial characters).
 * 3. unzipper (under exceljs) can drop the last entries of an archive, and hangs on a damaged
 *    deflate stream (see `patchZipParser`).
 *
 * This relies on exceljs internals (`_parseSharedStrings` and siblings, `WorksheetReader.iterator`,
 * `styles.getStyleModel`), pinned by exceljs 4.4.0 in package.json; the unit tests fail if they move.
 */
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import { SharedStringsParser, SharedStringTable, type SheetContext } from './sheet-xml.js';

/** The parts of exceljs's `WorksheetReader` we use: its identity and its raw XML source. */
export interface SheetReader {
  name: string;
  /** From workbook.xml: 'visible' | 'hidden' | 'veryHidden' (undefined when the sheet is not listed). */
  state?: string;
  iterator: AsyncIterable<Buffer | string>;
  /** Zip path of the sheet's XML (set by our `_parseWorksheet` wrapper). */
  partPath?: string;
}

interface ZipEntry extends AsyncIterable<Buffer | string> {
  setEncoding(enc: 'utf8'): unknown;
}

interface ReaderInternals {
  _parseSharedStrings(entry: ZipEntry): AsyncGenerator<unknown>;
  _parseWorkbook(entry: ZipEntry): Promise<void>;
  _parseRels(entry: ZipEntry): Promise<void>;
  _parseStyles(entry: ZipEntry): Promise<void>;
  _parseWorksheet(iterator: unknown, sheetNo: string): Generator<{ eventType: string; value: SheetReader }>;
  /** Set to our table: exceljs only tests it to decide whether sheets can be read without spooling. */
  sharedStrings?: SharedStringTable;
  styles?: { getStyleModel(id: number): { numFmt?: string } | null | undefined };
  properties?: { model?: { date1904?: boolean } };
}

export interface OpenedWorkbook extends SheetContext {
  sheets: AsyncIterator<SheetReader>;
  /** CRC-32 of the shared-string part as read (undefined when the workbook has none). */
  sharedStringsCrc(): number | undefined;
}

export const SHARED_STRINGS_PART = 'xl/sharedStrings.xml';

/** Shared strings cached (needed to resolve cells), styles cached (number formats tell date cells). */
export const readerOptions = { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' } as const;

/**
 * Opens a streaming reader over `stream`.
 * @throws Error when exceljs no longer has the internals relied on (a dependency upgrade).
 */
export function openWorkbook(stream: Readable): OpenedWorkbook {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, readerOptions);
  const internals = reader as unknown as ReaderInternals;
  const methods = internals as unknown as Record<string, unknown>;
  for (const m of ['_parseSharedStrings', '_parseWorkbook', '_parseRels', '_parseStyles', '_parseWorksheet'] as const) {
    if (typeof methods[m] !== 'function') throw new Error(`exceljs internals changed: WorkbookReader.${m} is missing`);
  }
  for (const m of ['_parseWorkbook', '_parseRels', '_parseStyles'] as const) {
    const original = methods[m] as (entry: ZipEntry) => unknown;
    methods[m] = function (this: unknown, entry: ZipEntry) {
      entry.setEncoding('utf8');
      return original.call(this, entry);
    };
  }
  // exceljs calls `yield* this._parseSharedStrings(entry)`: an async generator that fills the cache.
  let sharedCrc: number | undefined;
  // biome-ignore lint/correctness/useYield: exceljs consumes it with `yield*`; in cache mode it only fills the table
  methods._parseSharedStrings = async function* (this: ReaderInternals, entry: ZipEntry): AsyncGenerator<never> {
    const table = new SharedStringTable();
    this.sharedStrings = table;
    const parser = new SharedStringsParser(table);
    let crc: number | undefined = 0;
    const counted = async function* () {
      for await (const chunk of entry) {
        // Bytes are counted; text (never expected here) would make the check meaningless, so it is skipped.
        crc = typeof chunk === 'string' || crc === undefined ? undefined : crc32(chunk, crc);
        yield chunk;
      }
    };
    for await (const text of decodeUtf8(counted())) parser.push(text);
    sharedCrc = crc;
  };
  // Tag each sheet with its zip path, so what was read can be checked against the archive's CRC.
  const parseWorksheet = internals._parseWorksheet;
  methods._parseWorksheet = function* (this: unknown, iterator: unknown, sheetNo: string) {
    for (const event of parseWorksheet.call(this, iterator, sheetNo)) {
      event.value.partPath = `xl/worksheets/sheet${sheetNo}.xml`;
      yield event;
    }
  };
  patchZipParser(stream);
  const sheets = (reader as unknown as AsyncIterable<SheetReader>)[Symbol.asyncIterator]();
  return {
    sheets,
    sharedString: (i) => internals.sharedStrings?.get(i),
    sharedStringsCrc: () => sharedCrc,
    numFmt: (id) => internals.styles?.getStyleModel(id)?.numFmt,
    date1904: () => internals.properties?.model?.date1904 === true,
  };
}

/** Text of a byte stream, with characters split across chunks kept whole. */
async function* decodeUtf8(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of source) {
    const s = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (s) yield s;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * A sheet's XML as text, and the means to let go of it half-way: exceljs's stream helper keeps
 * buffering data nobody reads if a sheet is abandoned, so an abandoned sheet is read to its end (or,
 * when spooled to a temp file, its file stream is closed) before exceljs moves to the next part.
 */
export class SheetSource {
  private readonly source: AsyncIterable<Buffer | string>;
  private it: AsyncIterator<Buffer | string> | undefined;
  private readonly decoder = new TextDecoder('utf-8');
  private finished = false;
  private crc: number | undefined = 0;
  private readToEnd = false;

  constructor(sheet: SheetReader) {
    if (sheet.iterator === undefined || typeof sheet.iterator[Symbol.asyncIterator] !== 'function') {
      throw new Error('exceljs internals changed: WorksheetReader.iterator is not an async iterable');
    }
    this.source = sheet.iterator;
  }

  /** The XML, chunk by chunk. Stopping early leaves the source open for `drain()`. */
  async *text(): AsyncGenerator<string> {
    this.it ??= this.source[Symbol.asyncIterator]();
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.finished = true;
        this.readToEnd = true;
        const rest = this.decoder.decode();
        if (rest) yield rest;
        return;
      }
      this.crc = typeof r.value === 'string' || this.crc === undefined ? undefined : crc32(r.value, this.crc);
      const s = typeof r.value === 'string' ? r.value : this.decoder.decode(r.value, { stream: true });
      if (s) yield s;
    }
  }

  /** CRC-32 of the sheet's bytes, once read to the end (undefined before, or when drained). */
  get readCrc(): number | undefined {
    return this.readToEnd ? this.crc : undefined;
  }

  /** Reads (and discards) what is left, or closes a spooled sheet's file. Never throws. */
  async drain(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const destroyable = this.source as Partial<Readable>;
    try {
      if (typeof destroyable.destroy === 'function') {
        destroyable.destroy();
        return;
      }
      // Never started: exceljs drains the zip entry itself when it moves on.
      if (!this.it) return;
      while (!(await this.it.next()).done) {
        /* discard */
      }
    } catch {
      /* the archive is being abandoned anyway */
    }
  }
}

interface ZipEntryStream {
  writableEnded?: boolean;
  end(): void;
}

interface ZipParser extends NodeJS.EventEmitter {
  readableLength: number;
  push(chunk: unknown): boolean;
}

/**
 * Two fixes on unzipper's parser (exceljs 4.4.0 → unzipper 0.10), caught as exceljs pipes our
 * stream into it:
 *
 * 1. It announces 'end' as soon as its input has ended, even when entries it has parsed are still
 *    queued in its (paused) readable side; exceljs then stops and never sees them. It happens when
 *    exceljs is slow on one entry (spooling a sheet to disk) while small entries follow — and the last
 *    ones are workbook.xml or sharedStrings.xml: a workbook read without its shared strings. While
 *    entries are queued, the early 'end' is turned into an end-of-stream mark, so Node emits 'end'
 *    after the queue is delivered.
 * 2. A damaged deflate stream makes it emit 'error' on the parser, not on the entry being inflated;
 *    exceljs is waiting for that entry to finish and never sees the error: the read hangs. On the first
 *    error the current entry is ended, so exceljs moves on and meets the error in its own loop.
 */
function patchZipParser(stream: Readable): void {
  const pipe = stream.pipe.bind(stream);
  const patched = <T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T => {
    const parser = dest as unknown as ZipParser;
    const emit = parser.emit.bind(parser);
    parser.emit = (event: string | symbol, ...args: unknown[]): boolean => {
      if (event === 'end' && parser.readableLength > 0) {
        parser.push(null);
        return false;
      }
      return emit(event, ...args);
    };
    let current: ZipEntryStream | undefined;
    parser.on('data', (entry: ZipEntryStream) => {
      current = entry;
    });
    parser.once('error', () => {
      if (current && !current.writableEnded) current.end();
    });
    return pipe(dest, opts);
  };
  stream.pipe = patched as typeof stream.pipe;
}
