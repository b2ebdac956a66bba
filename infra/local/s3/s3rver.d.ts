// Minimal typings for the parts of s3rver 3.7 (CommonJS, ships no types) that the local S3 uses.
declare module 's3rver' {
  import type { Server } from 'node:http';

  interface S3rverBucketConfig {
    name: string;
    configs?: (string | Buffer)[];
  }

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: S3rverBucketConfig[];
  }

  interface S3rverStore {
    readonly rootDirectory: string;
    getBucket(name: string): Promise<{ name: string; creationDate: Date } | null>;
  }

  class S3rver {
    constructor(options?: S3rverOptions);
    readonly store: S3rverStore;
    httpServer?: Server;
    run(): Promise<{ address: string; family: string; port: number }>;
    close(): Promise<void>;
  }

  export default S3rver;
}
