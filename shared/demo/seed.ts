/** Demo reference data for the local runtime: units, report recipients, the post-2025 reporting groups. Idempotent. */
import { putRecipients, putReportingConfig } from '../reports/report-repo.js';
import { putUnits } from '../units/unit-repo.js';
import { demoUnits } from './demo-units.js';

export const demoRecipients: Record<string, string[]> = {
  '901': ['phongtuphap.binhminh@demo.hotich.vn'],
  '902': ['phongtuphap.phuloc@demo.hotich.vn'],
  '90': ['sotuphap.anhoa@demo.hotich.vn'],
  G90N: ['cumbac.anhoa@demo.hotich.vn'],
  G90S: ['cumnam.anhoa@demo.hotich.vn'],
  VN: ['cuchotich@demo.hotich.vn'],
};

export async function seedDemoReferenceData(): Promise<void> {
  await putUnits(demoUnits);
  // After 1/7/2025 the province has no districts: its office splits its communes into two follow-up groups.
  await putReportingConfig({
    provinces: {
      '90': {
        level: 'province',
        groups: [
          { code: 'G90N', name: 'Cụm phía Bắc', communes: ['90701', '90702'] },
          { code: 'G90S', name: 'Cụm phía Nam', communes: ['90703'] },
        ],
      },
    },
  });
  for (const [unit, emails] of Object.entries(demoRecipients)) await putRecipients(unit, emails);
}
