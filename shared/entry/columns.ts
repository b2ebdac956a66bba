/**
 * The shape of an entry template: ordered columns named as in the Ministry's import template
 * ("Phần mềm 158"). Pure data, validated with zod so a wrong definition fails a unit test rather
 * than an upload.
 */
import { z } from 'zod';
import { RegisterType } from '../books/register-type.js';

/**
 * How a column's text is read and checked.
 * `date` is dd.mm.yyyy; `dateOrYear` is dd.mm.yyyy or yyyy (old books often give only the year of
 * birth/death); `idNumber` is text of digits/letters whose leading zeros matter; `soDangKy` is "n/yyyy".
 */
export const ColumnType = z.enum(['text', 'integer', 'date', 'dateOrYear', 'code', 'idNumber', 'soDangKy']);
export type ColumnType = z.infer<typeof ColumnType>;

export const CodeEntry = z.strictObject({ code: z.string().min(1), label: z.string().min(1) });
export type CodeEntry = z.infer<typeof CodeEntry>;

/** A closed list of values (a "danh mục"). `aliases` maps other spellings users type to a code. */
export const CodeList = z.strictObject({
  id: z.string().regex(/^[A-Za-z]+$/),
  title: z.string().min(1),
  entries: z.array(CodeEntry).min(1),
  aliases: z.record(z.string(), z.string()).optional(),
});
export type CodeList = z.infer<typeof CodeList>;

/**
 * What an `idNumber` must look like: a 12-digit personal ID (số định danh cá nhân), or an identity
 * document whose format depends on the document type in `docTypeColumn`.
 */
export const IdKind = z.enum(['personalId', 'document', 'other']);
export type IdKind = z.infer<typeof IdKind>;

export const ColumnDef = z
  .strictObject({
    /** The Ministry column name, exactly (the header text in row 1). */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
    /** Vietnamese label shown to users (header note, instructions sheet, error messages). */
    label: z.string().min(1),
    type: ColumnType,
    codes: CodeList.optional(),
    required: z.boolean(),
    maxLength: z.number().int().positive().optional(),
    /** Line breaks are kept (remarks); elsewhere they become spaces. */
    multiline: z.boolean().optional(),
    /** Contractor technical column (TenFile, NamMoSo): accepted, never required to be present. */
    technical: z.boolean().optional(),
    idKind: IdKind.optional(),
    /** For `idKind: 'document'`: the column holding the document type (LoaiGiayToTuyThan). */
    docTypeColumn: z.string().optional(),
  })
  .refine((c) => (c.type === 'code') === (c.codes !== undefined), { message: 'codes is set exactly for code columns' })
  .refine((c) => (c.type === 'idNumber') === (c.idKind !== undefined), { message: 'idKind is set exactly for idNumber columns' })
  .refine((c) => (c.idKind === 'document') === (c.docTypeColumn !== undefined), { message: 'docTypeColumn is set exactly for document ids' });
export type ColumnDef = z.infer<typeof ColumnDef>;

export const TemplateDef = z
  .strictObject({
    registerType: RegisterType,
    /** Where the column list comes from: the Ministry template, or our documented shape. */
    source: z.enum(['ministry', 'ours']),
    columns: z.array(ColumnDef).min(1),
  })
  .superRefine((t, ctx) => {
    const names = new Set<string>();
    for (const c of t.columns) {
      const key = c.name.toLowerCase();
      if (names.has(key)) ctx.addIssue({ code: 'custom', message: `duplicate column ${c.name}` });
      names.add(key);
    }
    for (const c of t.columns) {
      if (c.docTypeColumn && !t.columns.some((d) => d.name === c.docTypeColumn && d.type === 'code')) {
        ctx.addIssue({ code: 'custom', message: `${c.name}: ${c.docTypeColumn} is not a code column of the template` });
      }
    }
  });
export type TemplateDef = z.infer<typeof TemplateDef>;
