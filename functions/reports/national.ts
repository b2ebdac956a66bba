// Primary adapter: report workflow state National — provinces ranked nationally.
import { runNationalReport } from '../../shared/use-cases/weekly-report.js';
import { NationalInput } from './steps.js';

export const handler = async (event: unknown) => runNationalReport(NationalInput.parse(event));
