// Primary adapter: GET /templates/{type}.xlsx → the Ministry import template of a register type.
import type { RegisterType } from '../../shared/books/register-type.js';
import { generateTemplate } from '../../shared/entry/workbook-writer.js';
import { httpHandler } from '../http/http-handler.js';

export const handler = httpHandler('EntryTemplate', async (req) => {
  const type = req.params.file.replace(/\.xlsx$/, '') as RegisterType;
  return {
    file: { content: await generateTemplate(type), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: `mau-nhap-lieu-${type}.xlsx` },
  };
});
