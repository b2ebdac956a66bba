import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.js';
import { Role } from '../../shared/users/user.js';
import { asUser } from '../support/api-client.js';
import { expected, matrixMarkdown, type Relation, relations } from '../support/authz-matrix.js';
import { createBook, waitForStage } from '../support/book-flow.js';
import { lambdaContext, loadEvent, useLocalStackEnv } from '../support/handler-env.js';

useLocalStackEnv();
const kebab = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

let bookId: string;
let executionArn: string;

beforeAll(async () => {
  const officer = await asUser('hotich.binhan');
  bookId = await createBook(officer);
  await officer.post(`/books/${bookId}/actions`, { action: 'startDigitisation' });
  executionArn = (await officer.get(`/books/${bookId}`)).body.executionArn;
  const { putEntryReport } = await import('../../shared/entry/entry-report-repo.js');
  await putEntryReport({
    bookId,
    uploadId: 'fixture',
    fileName: 'a.xlsx',
    at: new Date().toISOString(),
    status: 'rejected',
    summary: { rows: 0, errors: 0, warnings: 0 },
    issues: [],
    issuesTruncated: false,
  });
  const { putScanReport } = await import('../../shared/scans/scan-report-repo.js');
  await putScanReport({
    bookId,
    uploadId: 'fixture',
    fileName: 'a.zip',
    at: new Date().toISOString(),
    complete: false,
    counts: {},
    reworkRate: 0,
    missing: [],
    files: [],
    filesTruncated: false,
    reportKey: '',
  });
  // An export package on the fixture book for GET /books/{bookId}/export, written while the book has no
  // record yet (a package needs every record's scan), as the approval of a second officer.
  await waitForStage(officer, bookId, 'entry');
  const { writeExportPackage } = await import('../../shared/use-cases/export-package.js');
  const { getBook, saveBook } = await import('../../shared/books/book-repo.js');
  const book = await getBook(bookId);
  const approver = { userId: 'u-matrix-approver', username: 'hotich2.binhan', role: 'commune_officer' as const, unit: relations.own };
  const { approval } = await writeExportPackage(book, approver, book.updatedAt, book.updatedAt);
  await saveBook({ ...book, approval }, book.version);
  const { putRecords } = await import('../../shared/records/record-repo.js');
  await putRecords([
    {
      bookId,
      so: '1/2018',
      registerType: 'KS',
      rowNumber: 2,
      fields: { so: '1/2018', nksHoTen: 'Nguyễn Văn A', nksNgaySinh: '01.01.2018' },
      entryVersion: 'fixture',
      version: 1,
      updatedAt: new Date().toISOString(),
      corrections: [],
    },
  ]);
});

let policyWindow = Math.floor(Math.random() * 1000);

/** The route's sample event, re-aimed at the fixture book and signed as (role, unit). */
function eventFor(route: (typeof routeList)[number], role: string, unit: string) {
  const e = loadEvent(`api/${kebab(route.name)}.json`);
  const claims = e.requestContext.authorizer.jwt.claims;
  Object.assign(claims, { sub: `matrix-${role}-${unit}`, 'cognito:username': `matrix.${role}`, 'cognito:groups': `[${role}]`, 'custom:unit': unit });
  if (e.pathParameters?.bookId) e.pathParameters.bookId = bookId;
  if (e.pathParameters?.executionArn) e.pathParameters.executionArn = encodeURIComponent(executionArn);
  if (e.queryStringParameters?.unit) e.queryStringParameters.unit = relations.own;
  if (e.pathParameters?.unitCode) e.pathParameters.unitCode = relations.own;
  if (route.name === 'BookAction') e.body = JSON.stringify({ action: 'completeReconciliation' });
  // A real change each time (the window only matters in adaptive mode, so the unit's reviews stay as they are):
  // the same policy again is a no-op that writes nothing, not what the audit check below is about.
  if (route.name === 'PutReviewPolicy') e.body = JSON.stringify({ ...JSON.parse(e.body), window: 20 + (policyWindow++ % 4000) });
  if (route.name === 'CreateBook') e.body = JSON.stringify({ ...JSON.parse(e.body), unitCode: relations.own, quyenSo: '99/2001', yearOpened: 2001 });
  if (route.name === 'CreateUpload')
    e.body = JSON.stringify({
      ...JSON.parse(e.body),
      kind: role === 'scan_contractor' ? 'scans' : 'entry',
      ...(role === 'scan_contractor' ? { fileName: 'a.zip', contentType: 'application/zip' } : {}),
    });
  return e;
}

/** The caller's own multipart upload on the fixture book when it may start one (owner checks come after role and unit). */
async function multipartUploadAs(role: string, unit: string): Promise<string> {
  const create = routeList.find((r) => r.name === 'CreateUpload')!;
  const e = eventFor(create, role, unit);
  const scans = role !== 'entry_clerk';
  e.body = JSON.stringify({
    kind: scans ? 'scans' : 'entry',
    fileName: scans ? 'big.zip' : 'big.xlsx',
    contentType: scans ? 'application/zip' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    size: 20 * 1024 * 1024,
    multipart: true,
  });
  const { handler } = await import('../../functions/uploads/create.js');
  const res = await handler(e, lambdaContext as never);
  return res.statusCode === 201 ? JSON.parse(String(res.body)).uploadId : '00000000-0000-4000-8000-000000000000';
}

/** Audit entries written under one request id (the local audit table is small: a scan is fine in a test). */
async function auditOf(requestId: string) {
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient, ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const res = await ddb.send(
      new ScanCommand({
        TableName: process.env.AUDIT_TABLE_NAME,
        FilterExpression: 'requestId = :r',
        ExpressionAttributeValues: { ':r': requestId },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(res.Items ?? []));
    start = res.LastEvaluatedKey;
  } while (start);
  ddb.destroy();
  return items;
}

/** Mutating calls the matrix made that succeeded, and whether each left its audit entry (who, role, unit, before/after). */
const audited: { call: string; entries: number; complete: boolean }[] = [];

describe('authorisation matrix: every route × role × unit relation', () => {
  it('docs/authorization-matrix.md is the generated table', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/authorization-matrix.md'), 'utf8');
    expect(doc).toBe(matrixMarkdown());
  });

  for (const route of routeList) {
    it(`${route.method} ${route.path}`, async () => {
      const mod = (await import(`../../functions/${route.entry.replace(/\.ts$/, '.js')}`)) as {
        handler: (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
      };
      const mismatches: string[] = [];
      for (const role of Role.options) {
        for (const relation of Object.keys(relations) as Relation[]) {
          const event = eventFor(route, role, relations[relation]);
          if (event.pathParameters?.uploadId) event.pathParameters.uploadId = await multipartUploadAs(role, relations[relation]);
          const requestId = `matrix-${route.name}-${role}-${relation}-${Date.now()}`;
          event.requestContext.requestId = requestId;
          const res = await mod.handler(event, lambdaContext);
          if (route.method !== 'GET' && res.statusCode < 300) {
            const entries = await auditOf(requestId);
            // A copy of a request already under way (`alreadyRunning`) changes nothing, so it writes nothing.
            const replay = JSON.parse(res.body || '{}').alreadyRunning === true;
            const complete = replay
              ? entries.length === 0
              : entries.length > 0 &&
                entries.every(
                  (e) =>
                    e.actor?.username === `matrix.${role}` &&
                    e.actor?.role === role &&
                    e.actor?.unit === relations[relation] &&
                    e.at &&
                    ('before' in e || 'after' in e),
                );
            audited.push({ call: `${route.method} ${route.path} as ${role}/${relation} → ${res.statusCode}`, entries: entries.length, complete });
          }
          const want = expected(route, role, relation);
          const ok = want.allow ? ![401, 403, 404].includes(res.statusCode) && res.statusCode < 500 : res.statusCode === want.status;
          if (!ok) mismatches.push(`${role}/${relation}: expected ${want.allow ? 'allow' : want.status}, got ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});

describe('audit trail of the matrix calls', () => {
  it('every mutating call that succeeded wrote its audit entry, with actor, role, unit, time and before/after', () => {
    const routes = new Set(audited.map((a) => a.call.split(' as ')[0]));
    console.log(
      `[audit-per-route] ${audited.length} successful mutating calls on ${routes.size} routes: ${audited.filter((a) => a.complete).length} audited completely`,
    );
    expect(routes.size).toBeGreaterThanOrEqual(5);
    expect(audited.filter((a) => !a.complete).map((a) => `${a.call}: ${a.entries} entries`)).toEqual([]);
  });
});
