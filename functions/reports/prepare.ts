// Primary adapter: report workflow state PrepareProvince — the province's reporting units, each with its slice of the plan.
import { prepareProvinceReport } from '../../shared/use-cases/weekly-report.js';
import { PrepareInput } from './steps.js';

export const handler = async (event: unknown) => prepareProvinceReport(PrepareInput.parse(event));
