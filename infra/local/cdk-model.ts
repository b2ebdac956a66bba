/**
 * Reads what `cdk synth` produced and turns it into what the local runtime needs: tables, buckets,
 * functions (their bundled asset and resolved environment), the state machine definition with
 * function ARNs, HTTP routes, S3 → SQS → Lambda wiring and schedules. Nothing here is written by
 * hand: change the CDK app and the local stack follows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

type Json = unknown;
interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: string } }>;
}

export interface LocalTable {
  name: string;
  keySchema: { AttributeName: string; KeyType: string }[];
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  globalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: string }[]; Projection: Json }[];
}
export interface LocalFunction {
  logicalId: string;
  arn: string;
  assetDir: string;
  handlerFile: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** The function's execution role (logical id) and the statements of every policy attached to it, resolved. */
  role?: { logicalId: string; statements: IamStatement[] };
}
/** One statement of an identity-based policy as synthesised (intrinsics resolved with local names). */
export interface IamStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
  Sid?: string;
}
export interface LocalRoute {
  routeKey: string;
  method: string;
  path: string;
  functionArn: string;
}
export interface LocalQueueWiring {
  bucket: string;
  prefix: string;
  queueArn: string;
  functionArn?: string;
  batchSize: number;
  maxReceiveCount: number;
}
export interface LocalSchedule {
  name: string;
  expression: string;
  timeZone: string /** A Lambda function or a state machine. */;
  targetArn: string;
  input: string;
}
export interface LocalModel {
  region: string;
  accountId: string;
  tables: LocalTable[];
  buckets: string[];
  functions: LocalFunction[];
  stateMachines: { name: string; arn: string; definition: Record<string, Json> }[];
  routes: LocalRoute[];
  uploadQueues: LocalQueueWiring[];
  schedules: LocalSchedule[];
}

export function readCloudAssembly(outdir: string, region: string, accountId: string): LocalModel {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templates = Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([stackName, a]) => ({ stackName, template: JSON.parse(readFileSync(path.join(outdir, a.properties!.templateFile!), 'utf8')) as Template }));

  // First pass: physical names/ARNs of every resource, so Ref/GetAtt/ImportValue resolve.
  const exportsByName = new Map<string, Json>();
  const ctx = (stackName: string, t: Template) => new Resolver(stackName, t, region, accountId, exportsByName);
  const resolvers = templates.map(({ stackName, template }) => ({ stackName, template, r: ctx(stackName, template) }));
  for (const { template, r } of resolvers) {
    for (const out of Object.values(template.Outputs ?? {})) if (out.Export) exportsByName.set(out.Export.Name, { __resolver: r, value: out.Value });
  }

  const model: LocalModel = { region, accountId, tables: [], buckets: [], functions: [], stateMachines: [], routes: [], uploadQueues: [], schedules: [] };
  const integrations = new Map<string, string>();
  const queueToFunction = new Map<string, { fn: string; batchSize: number }>();
  const queueRedrive = new Map<string, number>();

  for (const { template, r } of resolvers) {
    const roleStatements = rolePolicies(template, r);
    for (const [id, res] of Object.entries(template.Resources)) {
      const p = res.Properties ?? {};
      switch (res.Type) {
        case 'AWS::DynamoDB::Table':
          model.tables.push({
            name: r.ref(id),
            keySchema: p.KeySchema as LocalTable['keySchema'],
            attributeDefinitions: p.AttributeDefinitions as LocalTable['attributeDefinitions'],
            globalSecondaryIndexes: p.GlobalSecondaryIndexes as LocalTable['globalSecondaryIndexes'],
          });
          break;
        case 'AWS::S3::Bucket':
          model.buckets.push(r.ref(id));
          break;
        case 'AWS::Lambda::Function': {
          const code = p.Code as { S3Key?: Json };
          const key = typeof code?.S3Key === 'string' ? code.S3Key : undefined;
          if (!key) break; // inline custom-resource handlers have no bundle to run locally
          if (!String(p.Runtime ?? '').startsWith('nodejs')) break; // CDK's deploy-time handlers (the pages' BucketDeployment is Python)
          const assetDir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
          const [file, exp] = String(p.Handler).split('.');
          const vars = ((p.Environment as { Variables?: Record<string, Json> })?.Variables ?? {}) as Record<string, Json>;
          model.functions.push({
            logicalId: id,
            arn: r.getAtt(id, 'Arn'),
            assetDir,
            handlerFile: ['.mjs', '.js', '.cjs'].map((e) => path.join(assetDir, file + e)).find((f) => existsSync(f)) ?? path.join(assetDir, `${file}.mjs`),
            handlerExport: exp ?? 'handler',
            environment: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(r.resolve(v))])),
            timeoutSeconds: Number(p.Timeout ?? 3),
            role: roleOf(p.Role, roleStatements),
          });
          break;
        }
        case 'AWS::StepFunctions::StateMachine':
          model.stateMachines.push({
            name: String(p.StateMachineName ?? id),
            arn: r.ref(id),
            definition: JSON.parse(String(r.resolve(p.DefinitionString))),
          });
          break;
        case 'AWS::ApiGatewayV2::Integration':
          integrations.set(id, String(r.resolve(p.IntegrationUri)));
          break;
        case 'AWS::Lambda::EventSourceMapping':
          queueToFunction.set(String(r.resolve(p.EventSourceArn)), { fn: String(r.resolve(p.FunctionName)), batchSize: Number(p.BatchSize ?? 10) });
          break;
        case 'AWS::SQS::Queue': {
          const redrive = p.RedrivePolicy as { maxReceiveCount?: number } | undefined;
          if (redrive?.maxReceiveCount) queueRedrive.set(r.getAtt(id, 'Arn'), redrive.maxReceiveCount);
          break;
        }
        case 'AWS::Scheduler::Schedule': {
          const target = p.Target as { Arn: Json; Input?: string };
          model.schedules.push({
            name: id,
            expression: String(p.ScheduleExpression),
            timeZone: String(p.ScheduleExpressionTimezone ?? 'UTC'),
            targetArn: String(r.resolve(target.Arn)),
            input: String(r.resolve(target.Input ?? '{}')),
          });
          break;
        }
      }
    }
  }
  for (const { template, r } of resolvers) {
    for (const res of Object.values(template.Resources)) {
      const p = res.Properties ?? {};
      if (res.Type === 'AWS::ApiGatewayV2::Route') {
        const target = String(r.resolve(p.Target)).replace(/^integrations\//, '');
        const routeKey = String(p.RouteKey);
        const [method, routePath] = routeKey.split(' ');
        const integrationId = [...integrations.keys()].find((k) => r.ref(k) === target) ?? target;
        model.routes.push({ routeKey, method: method!, path: routePath!, functionArn: integrations.get(integrationId)! });
      }
      if (res.Type === 'Custom::S3BucketNotifications') {
        const cfg = p.NotificationConfiguration as {
          QueueConfigurations?: { QueueArn: Json; Filter?: { Key?: { FilterRules?: { Name: string; Value: string }[] } } }[];
        };
        for (const q of cfg.QueueConfigurations ?? []) {
          const queueArn = String(r.resolve(q.QueueArn));
          const prefix = q.Filter?.Key?.FilterRules?.find((f) => f.Name.toLowerCase() === 'prefix')?.Value ?? '';
          const consumer = queueToFunction.get(queueArn);
          model.uploadQueues.push({
            bucket: String(r.resolve(p.BucketName)),
            prefix,
            queueArn,
            functionArn: consumer?.fn,
            batchSize: consumer?.batchSize ?? 10,
            maxReceiveCount: queueRedrive.get(queueArn) ?? 5,
          });
        }
      }
    }
  }
  return model;
}

/** Statements by role logical id: the role's inline policies and every AWS::IAM::Policy naming it (same stack). */
function rolePolicies(template: Template, r: Resolver): Map<string, IamStatement[]> {
  const byRole = new Map<string, IamStatement[]>();
  const add = (roleId: string, doc: Json) => {
    const statements = [(r.resolve(doc) as { Statement?: IamStatement | IamStatement[] })?.Statement ?? []].flat();
    byRole.set(roleId, [...(byRole.get(roleId) ?? []), ...statements]);
  };
  for (const [id, res] of Object.entries(template.Resources)) {
    const p = res.Properties ?? {};
    if (res.Type === 'AWS::IAM::Role') {
      if (!byRole.has(id)) byRole.set(id, []);
      for (const inline of (p.Policies as { PolicyDocument: Json }[] | undefined) ?? []) add(id, inline.PolicyDocument);
    }
    if (res.Type === 'AWS::IAM::Policy') {
      for (const role of (p.Roles as Json[] | undefined) ?? []) {
        const roleId = (role as { Ref?: string })?.Ref;
        if (roleId) add(roleId, p.PolicyDocument);
      }
    }
  }
  return byRole;
}

function roleOf(role: Json, statements: Map<string, IamStatement[]>): LocalFunction['role'] {
  const att = (role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt'];
  const logicalId = att?.[0];
  if (!logicalId || !statements.has(logicalId)) return undefined;
  return { logicalId, statements: statements.get(logicalId)! };
}

/** Resolves the CloudFormation intrinsics CDK emits, with local physical names. */
class Resolver {
  constructor(
    readonly stackName: string,
    readonly template: Template,
    readonly region: string,
    readonly accountId: string,
    readonly exportsByName: Map<string, Json>,
  ) {}

  private props(id: string) {
    const res = this.template.Resources[id];
    if (!res) throw new Error(`${this.stackName}: unknown resource ${id}`);
    return { type: res.Type, p: res.Properties ?? {} };
  }

  ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.region,
      'AWS::AccountId': this.accountId,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.stackName,
    };
    if (pseudo[id]) return pseudo[id];
    const { type, p } = this.props(id);
    const named = (k: string) => (p[k] !== undefined ? String(this.resolve(p[k])) : undefined);
    switch (type) {
      case 'AWS::DynamoDB::Table':
        return named('TableName') ?? id;
      case 'AWS::S3::Bucket':
        return named('BucketName') ?? id.toLowerCase();
      case 'AWS::Lambda::Function':
        return named('FunctionName') ?? id;
      case 'AWS::SQS::Queue':
        return `http://sqs.local/${this.accountId}/${named('QueueName') ?? id}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${named('StateMachineName') ?? id}`;
      default:
        return id;
    }
  }

  getAtt(id: string, attr: string): string {
    const { type, p } = this.props(id);
    const named = (k: string) => (p[k] !== undefined ? String(this.resolve(p[k])) : id);
    if (attr === 'Arn') {
      switch (type) {
        case 'AWS::Lambda::Function':
          return `arn:aws:lambda:${this.region}:${this.accountId}:function:${this.ref(id)}`;
        case 'AWS::DynamoDB::Table':
          return `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${this.ref(id)}`;
        case 'AWS::S3::Bucket':
          return `arn:aws:s3:::${this.ref(id)}`;
        case 'AWS::SQS::Queue':
          return `arn:aws:sqs:${this.region}:${this.accountId}:${named('QueueName')}`;
        case 'AWS::StepFunctions::StateMachine':
          return this.ref(id);
        default:
          return `arn:aws:local:${this.region}:${this.accountId}:${type}:${id}`;
      }
    }
    if (attr === 'QueueName') return named('QueueName');
    return `${id}.${attr}`;
  }

  resolve(v: Json): Json {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, Json>;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const k = keys[0]!;
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(id!, attr!);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return (this.resolve(parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (vars[name] !== undefined) return String(this.resolve(vars[name]));
            const [id, attr] = name.split('.');
            return attr ? this.getAtt(id!, attr) : this.ref(id!);
          });
        }
        case 'Fn::Select': {
          const [i, list] = arg as [number, Json];
          return (this.resolve(list) as Json[])[Number(i)];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, Json];
          return String(this.resolve(s)).split(sep);
        }
        case 'Fn::ImportValue': {
          const name = String(this.resolve(arg));
          const exp = this.exportsByName.get(name) as { __resolver: Resolver; value: Json } | undefined;
          if (!exp) throw new Error(`Unknown export ${name}`);
          return exp.__resolver.resolve(exp.value);
        }
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(o[k])]));
  }
}
