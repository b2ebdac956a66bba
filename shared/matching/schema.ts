/**
 * The matching engine's data: what the police extract holds, what a book record offers, what comes
 * back. zod schemas and their types share one name.
 */
import { z } from 'zod';
import { RegisterType } from '../books/register-type.js';
import { CardLevel, DateLevel, isPartialDate, NameLevel, SexLevel, YearLevel } from './compare.js';

/** 12-digit personal ID number (số định danh cá nhân); text, leading zeros kept. */
export const PersonalIdNumber = z.string({ error: 'Thiếu số định danh cá nhân' }).regex(/^\d{12}$/, 'Số định danh cá nhân gồm 12 chữ số');
export type PersonalIdNumber = z.infer<typeof PersonalIdNumber>;

/** Sex as the Ministry codes it (`GioiTinh`): 1 male, 2 female, 3 unknown. */
export const Sex = z.literal([1, 2, 3], { error: 'Giới tính phải là 1 (nam), 2 (nữ) hoặc 3 (chưa xác định)' });
export type Sex = z.infer<typeof Sex>;

/** "dd.mm.yyyy", or "yyyy" when only the year is known (a real calendar date either way). */
export const PartialDateText = z.string().trim().refine(isPartialDate, 'Ngày sinh phải có dạng dd.mm.yyyy hoặc yyyy');

const BirthYear = z.number({ error: 'Năm sinh phải là số' }).int('Năm sinh phải là số nguyên').min(1850, 'Năm sinh phải từ 1850 đến 2100').max(2100, 'Năm sinh phải từ 1850 đến 2100');
const PersonName = z.string({ error: 'Thiếu họ tên' }).trim().min(1, 'Thiếu họ tên').max(200, 'Họ tên dài quá 200 ký tự');
/** 9-digit CMND or 12-digit CCCD. */
const IdCardNumber = z.string({ error: 'Số CMND/CCCD phải là văn bản' }).regex(/^(?:\d{9}|\d{12})$/, 'Số CMND gồm 9 chữ số, số CCCD gồm 12 chữ số');

/** One person in the extract of the National Population Database (CSDLQGVDC) handed over by the police. */
export const PopulationEntry = z.object({
  idNumber: PersonalIdNumber,
  fullName: PersonName,
  sex: Sex,
  dateOfBirth: PartialDateText.optional(),
  fatherName: PersonName.optional(),
  fatherBirthYear: BirthYear.optional(),
  motherName: PersonName.optional(),
  motherBirthYear: BirthYear.optional(),
  idCardNumber: IdCardNumber.optional(),
  /** Kept for the officer; never compared (procedure 1292: a different residence is not an inconsistency). */
  residence: z.string().max(500, 'Nơi cư trú dài quá 500 ký tự').optional(),
});
export type PopulationEntry = z.infer<typeof PopulationEntry>;

/**
 * One person taken from an approved book: the child of a birth record, the deceased of a death
 * record, a spouse of a marriage record. `recordKey` identifies the record and role (unique per run).
 */
export const PersonToMatch = z.object({
  recordKey: z.string().min(1).max(200),
  eventType: RegisterType,
  fullName: PersonName,
  sex: Sex,
  dateOfBirth: PartialDateText.optional(),
  fatherName: PersonName.optional(),
  fatherBirthYear: BirthYear.optional(),
  motherName: PersonName.optional(),
  motherBirthYear: BirthYear.optional(),
  idCardNumber: IdCardNumber.optional(),
});
export type PersonToMatch = z.infer<typeof PersonToMatch>;

/** The linking fields of TT 01/2022 Art. 11 that the model compares. */
export const MatchField = z.enum(['fullName', 'sex', 'dateOfBirth', 'fatherName', 'fatherBirthYear', 'motherName', 'motherBirthYear', 'idCardNumber']);
export type MatchField = z.infer<typeof MatchField>;

/** Every agreement level any field can take (see `compare.ts` for what each means). */
export const AgreementLevel = z.enum([...new Set<string>([...NameLevel, ...DateLevel, ...SexLevel, ...YearLevel, ...CardLevel])] as [string, ...string[]]);
export type AgreementLevel = z.infer<typeof AgreementLevel>;

/** One field's contribution to a candidate's score. */
export const FieldScore = z.object({
  field: MatchField,
  level: AgreementLevel,
  /** log2(m / u): positive is evidence for the same person, negative against, 0 when missing. */
  weight: z.number(),
  m: z.number(),
  u: z.number(),
  /** u came from the extract's frequency of the shared value (term-frequency adjustment). */
  termFrequency: z.boolean(),
  book: z.string().optional(),
  register: z.string().optional(),
});
export type FieldScore = z.infer<typeof FieldScore>;

export const ScoredCandidate = z.object({
  idNumber: PersonalIdNumber,
  /** log2 posterior odds that this entry is the record's person: prior + Σ field weights. */
  score: z.number(),
  /** This candidate's share: 2^score / (1 + Σ 2^score over all candidates found). */
  probability: z.number(),
  prior: z.number(),
  breakdown: z.array(FieldScore),
});
export type ScoredCandidate = z.infer<typeof ScoredCandidate>;

export const DiffEntry = z.object({
  field: MatchField,
  book: z.string(),
  register: z.string(),
  level: AgreementLevel,
  /** A contradiction that keeps the record out of MATCHED (otherwise a slip noted for correction). */
  blocksMatch: z.boolean(),
});
export type DiffEntry = z.infer<typeof DiffEntry>;

export const MatchOutcome = z.enum(['MATCHED', 'MISMATCH', 'NOT_FOUND']);
export type MatchOutcome = z.infer<typeof MatchOutcome>;

/**
 * Why a record went to the tracking list: fields contradict the best candidate; the score is below
 * the MATCHED band; only the name, sex and birth year agree (nothing corroborates them); another
 * candidate is too close; another record of the same event type has the same best candidate; or
 * the ID was already assigned to a record of this event type earlier.
 */
export const MismatchReason = z.enum(['FIELDS_DIFFER', 'LOW_SCORE', 'WEAK_EVIDENCE', 'AMBIGUOUS', 'DUPLICATE_CANDIDATE', 'ID_ALREADY_ASSIGNED']);
export type MismatchReason = z.infer<typeof MismatchReason>;

export const MatchResult = z.object({
  recordKey: z.string(),
  eventType: RegisterType,
  outcome: MatchOutcome,
  /** Present only when MATCHED: the ID to write into the record. */
  idNumber: PersonalIdNumber.optional(),
  /** The best candidate's score and probability (absent when no candidate was found at all). */
  score: z.number().optional(),
  probability: z.number().optional(),
  /** Empty unless MISMATCH. */
  reasons: z.array(MismatchReason),
  /** Field-by-field differences with the best candidate (MATCHED may carry slips to correct). */
  diff: z.array(DiffEntry),
  /** Ranked best first, each with its score breakdown; a MATCHED result keeps only its evidence, the chosen one. */
  candidates: z.array(ScoredCandidate),
  /** With DUPLICATE_CANDIDATE: the other records whose best candidate is the same ID. */
  duplicateOf: z.array(z.string()).optional(),
});
export type MatchResult = z.infer<typeof MatchResult>;
