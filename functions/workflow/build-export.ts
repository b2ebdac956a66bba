// Primary adapter: the BuildExportPackage state, between the approve decision and Reconciliation.
import { buildExportPackage } from '../../shared/use-cases/export-package.js';
import { StepPayload } from './step-payload.js';

export const handler = async (event: unknown) => {
  const e = StepPayload.parse(event);
  const { approval, counts } = await buildExportPackage(e.bookId, { executionArn: e.executionArn, at: e.enteredAt });
  return { packageKey: approval.packageKey, checksum: approval.checksum, counts };
};
