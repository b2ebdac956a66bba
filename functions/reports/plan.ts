// Primary adapter: report workflow state Plan — the week and the reporting units a run covers.
import { planWeeklyReport } from '../../shared/use-cases/weekly-report.js';
import { PlanInput } from './steps.js';

export const handler = async (event: unknown) => planWeeklyReport(PlanInput.parse(event));
