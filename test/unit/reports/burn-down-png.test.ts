import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chartColours, renderBurnDownPng } from '../../../shared/reports/burn-down-chart.js';
import { crc32, encodePng } from '../../../shared/reports/png.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Decoded {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  chunkTypes: string[];
  raw: Buffer;
}

/** A strict little PNG reader: checks every CRC and returns the inflated IDAT stream. */
function decode(png: Buffer): Decoded {
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  const chunkTypes: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  let at = 8;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len), `CRC of ${type}`).toBe(zlibCrc32(png.subarray(at + 4, at + 8 + len)));
    chunkTypes.push(type);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  if (!ihdr) throw new Error('no IHDR');
  return {
    width: ihdr.readUInt32BE(0),
    height: ihdr.readUInt32BE(4),
    bitDepth: ihdr[8]!,
    colourType: ihdr[9]!,
    chunkTypes,
    raw: inflateSync(Buffer.concat(idat)),
  };
}

function pixel(d: Decoded, x: number, y: number): [number, number, number] {
  const i = y * (d.width * 3 + 1) + 1 + x * 3;
  return [d.raw[i]!, d.raw[i + 1]!, d.raw[i + 2]!];
}

const points = Array.from({ length: 8 }, (_, i) => ({
  date: new Date(Date.UTC(2024, 6, 5) + i * 7 * 86_400_000).toISOString().slice(0, 10),
  remaining: 12_000 - i * 700,
}));

describe('PNG encoder', () => {
  it('CRC-32 matches the standard check value and zlib', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    const data = Buffer.from('IHDR and some bytes \u00ff');
    expect(crc32(data)).toBe(zlibCrc32(data));
  });

  it('round-trips a tiny image exactly', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const d = decode(encodePng(2, 2, rgb));
    expect(d).toMatchObject({ width: 2, height: 2, bitDepth: 8, colourType: 2, chunkTypes: ['IHDR', 'IDAT', 'IEND'] });
    expect([...d.raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 10, 20, 30]);
  });

  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodePng(3, 3, new Uint8Array(10))).toThrow(RangeError);
  });
});

describe('burn-down chart', () => {
  const png = renderBurnDownPng({
    points,
    target: '2024-09-30',
    deadline: '2024-12-31',
    forecastDate: '2024-11-15',
    title: 'Huyện Bình Minh – 2024-W34',
    width: 640,
    height: 360,
  });
  const d = decode(png);

  it('is a PNG of the requested size, 8-bit RGB, whose IDAT inflates to one filter byte plus 3 bytes per pixel per row', () => {
    expect(d).toMatchObject({ width: 640, height: 360, bitDepth: 8, colourType: 2 });
    expect(d.chunkTypes[0]).toBe('IHDR');
    expect(d.chunkTypes.at(-1)).toBe('IEND');
    expect(d.raw.length).toBe(360 * (1 + 640 * 3));
    for (let y = 0; y < 360; y++) expect(d.raw[y * (1 + 640 * 3)]).toBe(0);
  });

  it('is not blank: it draws the remaining line, the deadline marker and text', () => {
    const counts = new Map<string, number>();
    for (let y = 0; y < d.height; y++) {
      for (let x = 0; x < d.width; x++) {
        const k = pixel(d, x, y).join(',');
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    expect(counts.size).toBeGreaterThan(4);
    expect(counts.get(chartColours.remaining.join(','))).toBeGreaterThan(200);
    // The deadline is a vertical red line: some column holds well over 100 red pixels.
    const red = chartColours.deadline.join(',');
    let bestColumn = 0;
    for (let x = 0; x < d.width; x++) {
      let n = 0;
      for (let y = 0; y < d.height; y++) if (pixel(d, x, y).join(',') === red) n++;
      bestColumn = Math.max(bestColumn, n);
    }
    expect(bestColumn).toBeGreaterThan(150);
    expect(counts.get(chartColours.text.join(','))).toBeGreaterThan(100);
  });

  it('renders without data points (axes and a note) and at the default size', () => {
    const empty = decode(renderBurnDownPng({ points: [], target: '2024-09-30', deadline: '2024-12-31', title: 'Trống' }));
    expect([empty.width, empty.height]).toEqual([720, 400]);
    expect(new Set(Array.from({ length: 720 }, (_, x) => pixel(empty, x, 200).join(','))).size).toBeGreaterThan(1);
  });
});
