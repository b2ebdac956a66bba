import { z } from 'zod';
import { IsoWeek } from './week.js';

/** Body of POST /reports/weekly/run. */
export const RunRequest = z.strictObject({ week: IsoWeek.optional(), unit: z.string().max(12).optional(), resend: z.boolean().default(false) });
export type RunRequest = z.infer<typeof RunRequest>;
