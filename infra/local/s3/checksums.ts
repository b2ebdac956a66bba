/** The flexible checksums S3 verifies (`x-amz-checksum-*`), as base64 of the big-endian digest. */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export const CHECKSUM_NAMES: Record<ChecksumAlgorithm, string> = {
  crc32: 'CRC32',
  crc32c: 'CRC32C',
  crc64nvme: 'CRC64NVME',
  sha1: 'SHA1',
  sha256: 'SHA256',
};

export interface Checksummer {
  update(data: Buffer): void;
  digestBase64(): string;
}

export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(value);
}

/** Returns undefined for CRC64NVME, which the local service accepts without verifying. */
export function createChecksummer(algorithm: ChecksumAlgorithm): Checksummer | undefined {
  switch (algorithm) {
    case 'crc32':
      return crcChecksummer((data, value) => crc32(data, value));
    case 'crc32c':
      return crcChecksummer(crc32c);
    case 'sha1':
    case 'sha256':
      return hashChecksummer(createHash(algorithm));
    case 'crc64nvme':
      return undefined;
  }
}

function crcChecksummer(update: (data: Buffer, value: number) => number): Checksummer {
  let value = 0;
  return {
    update(data) {
      value = update(data, value);
    },
    digestBase64() {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out.toString('base64');
    },
  };
}

function hashChecksummer(hash: Hash): Checksummer {
  return {
    update(data) {
      hash.update(data);
    },
    digestBase64() {
      return hash.digest('base64');
    },
  };
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), continuing from `value` like zlib.crc32. */
export function crc32c(data: Buffer, value = 0): number {
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) {
    crc = (CRC32C_TABLE[(crc ^ (data[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}
