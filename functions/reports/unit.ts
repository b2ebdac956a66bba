// Primary adapter: report workflow Map iteration — one reporting unit's snapshot, workbook and email.
import { runUnitReport } from '../../shared/use-cases/weekly-report.js';
import { UnitInput } from './steps.js';

export const handler = async (event: unknown) => runUnitReport(UnitInput.parse(event));
