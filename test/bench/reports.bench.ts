/**
 * Weekly reports at national scale (issue 7): 63 provinces, 696 districts, 10,035 communes (the pre-2025
 * structure; provinces of unequal size, the largest with ~30 districts like Hà Nội) with 1–3 books per
 * commune in rotating stages, some with reconciliation outcomes and reviewers' findings. The week before
 * is run first (not measured) so the measured week reads its history as every Friday does; then one run
 * of the report workflow through the local stack: every district's workbook and email, the province
 * rollups and the national one. Figures: wall time, DynamoDB items read (summed from the report tasks' own
 * counters) vs books + units, emails sent, and per-worker peak RSS (each step of a fresh week in a
 * process of its own, doing the real work: books read, workbook built, email sent).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { repoRoot, startStackProcess } from '../support/stack-process.js';
import { type BenchResult, envInt, printResult, round } from './bench-result.js';
import { asUser } from './http-client.js';

const WARM_WEEK = '2025-W09';
const WEEK = '2025-W10';
/** The week the per-worker measurements build from scratch (never run before). */
const WORKER_WEEK = '2025-W11';

/** Current RSS of the process tree (sampled during the run: the synth at start-up is not a report worker). */
function treeRssMiB(rootPid: number): number {
  return treeStatusMiB(rootPid, /VmRSS:\s+(\d+) kB/);
}

function treeStatusMiB(rootPid: number, field: RegExp): number {
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8');
      parents.set(Number(d), Number(raw.slice(raw.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  let peak = 0;
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    try {
      const m = field.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* gone */
    }
    for (const [child, parent] of parents) if (parent === pid) queue.push(child);
  }
  return peak;
}

export async function run(): Promise<BenchResult> {
  const provinces = envInt('BENCH_REPORT_PROVINCES', 63);
  const districts = envInt('BENCH_REPORT_DISTRICTS', 696);
  const communes = envInt('BENCH_REPORT_COMMUNES', 10_035);
  const dataDir = path.join(repoRoot, '.local', `bench-reports-${process.pid}`);
  const stack = await startStackProcess({ LOCAL_DATA_DIR: dataDir });
  try {
    const { env } = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as { env: Record<string, string> };
    Object.assign(process.env, env);
    const { putUnits } = await import('../../shared/units/unit-repo.js');
    const { putRecipients } = await import('../../shared/reports/report-repo.js');
    const { bookItem } = await import('../../shared/books/book-repo.js');
    const { ddb } = await import('../../shared/aws/clients.js');
    const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');

    // 1. Synthetic structure and progress.
    const seedStart = performance.now();
    const units: import('../../shared/units/unit.js').Unit[] = [];
    const base = { validFrom: '2000-01-01', validTo: null, successor: null };
    // Provinces of unequal size: province i gets a share of the districts proportional to (i + 1)^-0.35, so the
    // largest has ~30 districts (as Hà Nội had) and the smallest 5; communes are spread evenly over districts.
    const weights = Array.from({ length: provinces }, (_, i) => (i + 1) ** -0.35);
    const share = (total: number) => {
      const w = weights.reduce((a, b) => a + b, 0);
      const out = weights.map((x) => Math.max(1, Math.floor((x / w) * total)));
      for (let i = 0; out.reduce((a, b) => a + b, 0) < total; i = (i + 1) % provinces) out[i]!++;
      return out;
    };
    const districtsPer = share(districts);
    const pcode = (p: number) => `P${String(p + 1).padStart(2, '0')}`;
    const dcode = (d: number) => `D${String(d + 1).padStart(3, '0')}`;
    for (let p = 0; p < provinces; p++) units.push({ code: pcode(p), name: `Tỉnh ${p + 1}`, level: 'province', parent: 'VN', ...base });
    const districtProvince: number[] = districtsPer.flatMap((n, p) => Array.from({ length: n }, () => p));
    for (let d = 0; d < districts; d++) units.push({ code: dcode(d), name: `Huyện ${d + 1}`, level: 'district', parent: pcode(districtProvince[d]!), ...base });
    for (let c = 0; c < communes; c++) units.push({ code: String(10_000 + c), name: `Xã ${c + 1}`, level: 'commune', parent: dcode(c % districts), ...base });
    await putUnits(units);
    for (let d = 0; d < districts; d++) await putRecipients(dcode(d), [`d${d + 1}@bench.hotich.vn`]);
    const stages = ['inventory', 'entry', 'scan', 'review', 'approval', 'reconciliation', 'completed'] as const;
    const now = new Date().toISOString();
    const items: Record<string, unknown>[] = [];
    for (let c = 0; c < communes; c++) {
      for (let b = 0; b < 1 + (c % 3); b++) {
        const records = 10 + ((c * 7 + b * 13) % 40);
        const stage = stages[(c + b * 3) % stages.length]!;
        const past = (s: (typeof stages)[number]) => stages.indexOf(stage) >= stages.indexOf(s);
        items.push(
          bookItem({
            bookId: `${10_000 + c}-KS-${b + 1}.2018-2018`,
            unitCode: String(10_000 + c),
            registerType: 'KS',
            quyenSo: `${b + 1}/2018`,
            yearOpened: 2018,
            pageCount: 100,
            closingTotal: records,
            physicalCondition: 'worn',
            custodyLocation: 'Kho',
            notes: '',
            stage,
            version: 1,
            createdAt: now,
            createdBy: 'bench',
            updatedAt: now,
            stageEnteredAt: now,
            executionSeq: 0,
            counts: { records: past('entry') ? records : 0, scans: past('review') ? records : 0, uploads: 0 },
            ...(past('approval') ? { quality: { reviewedRecords: records, errors: c % 4, byReason: c % 4 ? { TYPO: c % 4 } : {} } } : {}),
            ...(stage === 'reconciliation'
              ? {
                  reconciliation: {
                    extractId: 'bench',
                    matched: records - 4,
                    mismatch: 2,
                    notFound: 2,
                    resolved: 1,
                    pending: 0,
                    settledRecords: records - 3,
                    at: now,
                  },
                }
              : {}),
          }),
        );
      }
    }
    for (let i = 0; i < items.length; i += 25) {
      let pending: unknown[] | undefined = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending?.length) {
        const res = await ddb.send(new BatchWriteCommand({ RequestItems: { [env.TABLE_NAME!]: pending as never } }));
        pending = res.UnprocessedItems?.[env.TABLE_NAME!] as unknown[] | undefined;
      }
    }
    const books = items.length;
    const seedMs = performance.now() - seedStart;

    // 2. The week before (history for the measured week), then the measured run, as the schedule starts them.
    const ops = await asUser(stack.info.urls.api, 'vanhanh');
    const sfn = new SFNClient({});
    const limitMs = envInt('BENCH_REPORT_TIMEOUT_MS', 900_000);
    const runWeek = async (week: string) => {
      const started = performance.now();
      const runRes = await ops.post('/reports/weekly/run', { week });
      if (runRes.status !== 202) throw new Error(`run ${week}: ${runRes.status} ${JSON.stringify(runRes.body)}`);
      const arn = runRes.body.executionArn as string;
      let status = 'RUNNING';
      while (status === 'RUNNING' && performance.now() - started < limitMs) {
        await new Promise((r) => setTimeout(r, 1000));
        const list = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn: arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), maxResults: 20 }),
        );
        status = list.executions?.find((e) => e.executionArn === arn)?.status ?? status;
      }
      return { arn, status, wallMs: performance.now() - started };
    };
    const warm = await runWeek(WARM_WEEK);
    if (warm.status !== 'SUCCEEDED') throw new Error(`warm-up week ${WARM_WEEK}: ${warm.status}`);
    const mailBefore = ((await (await fetch(`${stack.info.urls.api}/dev/mail`)).json()) as { emails: unknown[] }).emails.length;
    let peakMiB = 0;
    const sampler = setInterval(() => {
      peakMiB = Math.max(peakMiB, treeRssMiB(stack.child.pid!));
    }, 250);
    const { arn, status, wallMs } = await runWeek(WEEK);
    clearInterval(sampler);

    // 3. Items read, from the tasks' own counters (each report task returns `itemsRead`).
    let itemsRead = 0;
    let token: string | undefined;
    do {
      const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken: token }));
      for (const e of h.events ?? []) {
        const out = e.lambdaFunctionSucceededEventDetails?.output ?? e.taskSucceededEventDetails?.output;
        if (out) itemsRead += Number((JSON.parse(out) as { itemsRead?: number }).itemsRead ?? 0);
      }
      token = h.nextToken;
    } while (token);
    const sent = (await ops.get(`/reports/weekly?week=${WEEK}`)).body.reports as { unitCode: string; status: string }[];
    const districtSent = sent.filter((r) => r.unitCode.startsWith('D') && r.status === 'sent').length;
    const emails = ((await (await fetch(`${stack.info.urls.api}/dev/mail`)).json()) as { emails: unknown[] }).emails.length - mailBefore;
    const booksPlusUnits = books + units.length;

    // 4. Peak RSS per report worker: each step again in a plain Node process of its own (what a Lambda
    //    container holds: the function's bundle from cdk.out, its environment, one event).
    const { cdkOut } = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8')) as { cdkOut: string };
    const { readCloudAssembly } = await import('../../infra/local/cdk-model.js');
    const model = readCloudAssembly(cdkOut, env.AWS_REGION ?? 'ap-southeast-1', '000000000000');
    const runner = [
      "import { readFileSync } from 'node:fs';",
      'const m = await import(process.env.BENCH_HANDLER_URL);',
      'const h = m[process.env.BENCH_HANDLER_EXPORT] ?? m.default?.[process.env.BENCH_HANDLER_EXPORT];',
      "const out = await h(JSON.parse(readFileSync(process.env.BENCH_EVENT, 'utf8')), { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900000 });",
      'process.stdout.write(JSON.stringify(out));',
      // VmHWM: this process's own peak RSS. Not resourceUsage().maxRSS: Linux carries ru_maxrss across exec,
      // so a spawned child reports at least the RSS of the parent it was forked from (the bench itself).
      "const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];",
      "process.stderr.write('Max memory used: ' + Math.round((hwm ? Number(hwm) : process.resourceUsage().maxRSS) / 1024) + ' MB');",
    ].join('\n');
    const worker = (fn: string, event: unknown) => {
      const f = model.functions.find((x) => x.logicalId.startsWith(fn));
      if (!f) throw new Error(`no function ${fn}`);
      const file = path.join(dataDir, `bench-event-${fn}.json`);
      writeFileSync(file, JSON.stringify(event));
      const res = spawnSync(process.execPath, ['--input-type=module', '-e', runner], {
        env: {
          ...process.env,
          ...f.environment,
          POWERTOOLS_LOG_LEVEL: 'ERROR',
          BENCH_HANDLER_URL: pathToFileURL(f.handlerFile).href,
          BENCH_HANDLER_EXPORT: f.handlerExport,
          BENCH_EVENT: file,
        },
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const mib = Number(/Max memory used: (\d+) MB/.exec(res.stderr)?.[1] ?? Number.NaN);
      if (res.status !== 0) throw new Error(`worker ${fn}: ${res.status}\n${res.stdout.slice(0, 2000)}\n${res.stderr.slice(-2000)}`);
      return { mib, output: JSON.parse(res.stdout) as Record<string, unknown> };
    };
    // A week never run before, so every step does the whole work; the largest province and its largest district.
    const planW = worker('ReportPlan', { week: WORKER_WEEK, unit: null, resend: false });
    const biggest = pcode(0);
    const prepW = worker('ReportPrepare', { week: WORKER_WEEK, scope: 'all', province: biggest });
    const slices = prepW.output.units as { code: string; units: unknown[] }[];
    const slice = slices.reduce((a, b) => (b.units.length > a.units.length ? b : a));
    const unitW = worker('ReportUnit', { week: WORKER_WEEK, run: 'bench-worker', unit: slice, resend: false });
    if (unitW.output.status !== 'sent') throw new Error(`worker unit: ${JSON.stringify(unitW.output)}`);
    for (const other of slices.filter((x) => x !== slice)) worker('ReportUnit', { week: WORKER_WEEK, run: 'bench-worker', unit: other, resend: false });
    const provW = worker('ReportProvince', { week: WORKER_WEEK, run: 'bench-worker', scope: 'all', province: biggest, resend: false });
    const natW = worker('ReportNational', { week: WORKER_WEEK, run: 'bench-worker', resend: false });
    const workers = { plan: planW.mib, prepare: prepW.mib, unit: unitW.mib, province: provW.mib, national: natW.mib };
    const workerPeak = Math.max(...Object.values(workers));

    const result: BenchResult = {
      suite: 'reports',
      title: 'Weekly reports (issue 7)',
      parameters: {
        provinces,
        districts,
        communes,
        books,
        week: WEEK,
        'largest province (communes)': units.filter((u) => u.level === 'commune' && districtProvince[Number(u.parent!.slice(1)) - 1] === 0).length,
      },
      figures: {
        'seed (units, recipients, books)': { value: round(seedMs / 1000, 1), unit: 's' },
        'execution status': { value: status },
        'wall time, run → national report done': { value: round(wallMs / 1000, 1), unit: 's' },
        'district reports sent': { value: `${districtSent}/${districts}` },
        'emails sent': { value: String(emails) },
        'DynamoDB items read (report tasks)': { value: String(itemsRead) },
        'books + units': { value: String(booksPlusUnits) },
        'items read / (books + units)': { value: String(round(itemsRead / booksPlusUnits, 3)) },
        'peak RSS of the stack process during the run (all workers)': { value: round(peakMiB, 0), unit: 'MiB' },
        ...Object.fromEntries(Object.entries(workers).map(([k, v]) => [`peak RSS, one ${k} worker in its own process`, { value: v, unit: 'MiB' }])),
      },
      goals: [
        {
          name: 'all district workbooks and emails',
          target: '≤ 120 s',
          measured: `${round(wallMs / 1000, 1)} s, ${districtSent}/${districts}`,
          pass: wallMs <= 120_000 && districtSent === districts,
        },
        {
          name: 'items read',
          target: '≤ 1.1 × (books + units)',
          measured: `${round(itemsRead / booksPlusUnits, 3)} ×`,
          pass: itemsRead <= 1.1 * booksPlusUnits,
        },
        {
          name: 'peak RSS per report worker',
          target: '≤ 512 MB',
          measured: `${workerPeak} MiB (largest of plan, prepare, unit, province, national)`,
          pass: workerPeak <= 512,
        },
      ],
      notes: [
        `Per-worker RSS: each step of week ${WORKER_WEEK} (never run before) from its cdk.out bundle in a plain Node process of its own, with its CDK environment (as a Lambda container would): the largest province's plan, prepare, every district (the largest reported), its rollup, the national one.`,
        `The measured week ${WEEK} follows a run of ${WARM_WEEK}: each district reads its history item, as every Friday.`,
        'Items read: each task counts its own reads (AsyncLocalStorage), so concurrent tasks in one process do not overlap.',
      ],
    };
    printResult(result);
    return result;
  } finally {
    await stack.stop();
    if (!process.env.BENCH_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('reports.bench.ts')) await run();
