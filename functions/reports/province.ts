// Primary adapter: report workflow Map iteration — a province's rollup.
import { runProvinceReport } from '../../shared/use-cases/weekly-report.js';
import { ProvinceInput } from './steps.js';

export const handler = async (event: unknown) => runProvinceReport(ProvinceInput.parse(event));
