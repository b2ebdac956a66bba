import { z } from 'zod';
import { IsoWeek } from './week.js';

/** Body of POST /reports/weekly/run. */
export const RunRequest = z.strictObject({ week: IsoWeek.optional(), unit: z.string().regex(/^[0-9A-Z]{1,12}$/, 'Mã đơn vị gồm chữ số và chữ in hoa').optional(), resend: z.boolean().default(false) });
export type RunRequest = z.infer<typeof RunRequest>;
