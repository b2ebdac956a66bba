/** CDK entry point: `npm run synth` (offline) or `npx cdk deploy --all -c stage=prod`. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { acknowledgeAcceptedWildcards } from './nag.js';
import { cdkContext, readDeployConfig, stackNames } from './config.js';
import { AppStack } from './stacks/app-stack.js';
import { MonitoringStack } from './stacks/monitoring-stack.js';
import { StatefulStack } from './stacks/stateful-stack.js';

export function buildApp(app = new App({ context: cdkContext })) {
  const config = readDeployConfig((k) => app.node.tryGetContext(k));
  const env = { region: config.region, account: config.account };
  const names = stackNames(config.stage);
  const stateful = new StatefulStack(app, names.stateful, { env, config, terminationProtection: config.stage !== 'local' });
  const appStack = new AppStack(app, names.app, { env, config, stateful });
  appStack.addStackDependency(stateful);
  const monitoring = new MonitoringStack(app, names.monitoring, { env, config, stateful, app: appStack });
  monitoring.addStackDependency(appStack);
  acknowledgeAcceptedWildcards(app);
  return { app, config, stateful, appStack, monitoring };
}

if (process.argv[1]?.endsWith('app.ts')) {
  const { app } = buildApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  app.synth();
}
