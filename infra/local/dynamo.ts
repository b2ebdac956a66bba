/** dynalite on disk, with the tables the CDK app declares. */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { LocalTable } from './cdk-model.js';
import { gateJsonServer, type LocalIam, sendJsonAccessDenied } from './iam/local-iam.js';
import { dynamoRequests } from './iam/request-actions.js';

export async function startLocalDynamo(opts: { host: string; port: number; dataDir: string; tables: LocalTable[]; region: string; iam?: LocalIam }) {
  mkdirSync(opts.dataDir, { recursive: true });
  const server = dynalite({ path: opts.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Functions' calls are checked against their roles first (infra/local/iam/).
  const iam = opts.iam;
  if (iam)
    gateJsonServer(
      server,
      (req, body) => dynamoRequests(req.headers['x-amz-target'] as string | undefined, body, { region: opts.region, accountId: iam.accountId }),
      iam,
      sendJsonAccessDenied,
    );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${opts.host}:${port}`;
  const client = new DynamoDBClient({ endpoint: url, region: opts.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const t of opts.tables) {
    if (existing.has(t.name)) continue;
    await client.send(
      new CreateTableCommand({
        TableName: t.name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: t.keySchema as never,
        AttributeDefinitions: t.attributeDefinitions as never,
        GlobalSecondaryIndexes: t.globalSecondaryIndexes as never,
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: t.name });
  }
  client.destroy();
  return {
    url,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
