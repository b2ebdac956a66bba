/**
 * `npm start`: the whole system locally with demo data. Ports: PORT (API, default 3000) and
 * LOCAL_PORTS=auto for free ports; data in LOCAL_DATA_DIR (default .local/). Ctrl-C stops cleanly.
 * Prints one line `LOCAL_STACK_READY {json}` for scripts and tests, then where to look.
 */
import path from 'node:path';
import { demoUsers } from '../../shared/demo/demo-users.js';
import { roleTitles } from '../../shared/users/user.js';
import { repoRoot, startLocalStack } from './local-stack.js';

const auto = process.env.LOCAL_PORTS === 'auto';
const port = (envName: string, fallback: number) => (auto ? 0 : Number(process.env[envName] ?? fallback));
const dataDir = path.resolve(repoRoot, process.env.LOCAL_DATA_DIR ?? '.local');

const started = Date.now();
const stack = await startLocalStack({
  dataDir,
  ports: { api: port('PORT', 3000), dynamo: port('LOCAL_DYNAMO_PORT', 4566), s3: port('LOCAL_S3_PORT', 4569), sfn: port('LOCAL_SFN_PORT', 8083), ses: port('LOCAL_SES_PORT', 8005) },
  timeScale: process.env.LOCAL_TIME_SCALE ? Number(process.env.LOCAL_TIME_SCALE) : undefined,
  seedDemoBooks: process.env.LOCAL_SEED !== 'false',
});

console.log(`LOCAL_STACK_READY ${JSON.stringify({ urls: stack.urls, resumed: stack.resumed, dataDir })}`);
const u = stack.urls;
console.log(`
Hệ thống số hóa sổ hộ tịch đang chạy cục bộ (${((Date.now() - started) / 1000).toFixed(1)} s, dữ liệu trong ${path.relative(repoRoot, dataDir) || '.'}/)

  Trang web         ${u.web}
  API               ${u.api}            (OpenAPI: ${u.api}/openapi.json, cần token)
  Đăng nhập (demo)  curl -s -XPOST ${u.api}/dev/login -H 'content-type: application/json' -d '{"username":"hotich.binhan"}'
  Thư đã gửi        ${u.api}/dev/mail   (giao diện: ${u.ses})
  Lượt xử lý        ${u.api}/ops/executions  (đăng nhập "vanhanh")
  S3 / DynamoDB / Step Functions  ${u.s3}  ${u.dynamo}  ${u.sfn}
${stack.resumed.length ? `\n  Đã tiếp tục ${stack.resumed.length} sổ đang xử lý dở: ${stack.resumed.join(', ')}\n` : ''}
Người dùng demo:
${demoUsers.map((d) => `  ${d.username.padEnd(18)} ${d.role.padEnd(16)} đơn vị ${d.unit.padEnd(6)} ${roleTitles[d.role]}`).join('\n')}

Ctrl-C để dừng.`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nĐang dừng…');
    stack.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
