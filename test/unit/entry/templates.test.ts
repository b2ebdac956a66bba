import { describe, expect, it } from 'vitest';
import { RegisterType } from '../../../shared/books/register-type.js';
import { canonicalCode, codeLists, danToc, foldKey, gioiTinh, loaiGiayToTuyThan } from '../../../shared/entry/codes.js';
import { TemplateDef } from '../../../shared/entry/columns.js';
import { rules } from '../../../shared/entry/rules.js';
import { templates } from '../../../shared/entry/templates/index.js';

// Copied from domain.md §5, in order.
const KS_MINISTRY = `STT, so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy, nguoiThucHien,
ghiChu, nksSoDinhDanh, nksHoTen, nksGioiTinh, nksNgaySinh, nksNgaySinhBangChu, nksNoiSinh, nksNoiSinhDVHC,
nksQueQuan, nksDanToc, nksQuocTich, nksQuocTichStr, nksQuocTichKhac, nksQuocTichKhacStr, nksLoaiKhaiSinh,
nksMatTich, nksMatTichNgayGhiChuTuyenBo, nksMatTichCanCuTuyenBo, nksMatTichNgayGhiChuHuyTuyenBo,
nksMatTichCanCuHuyTuyenBo, nksHanCheNangLucHanhVi, nksHanCheNangLucHanhViNgayGhiChuTuyenBo,
nksHanCheNangLucHanhViCanCuTuyenBo, nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo,
nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo, meSoDinhDanhCaNhan, meHoTen, meNgaySinh, meDanToc, meQuocTich,
meQuocTichStr, meQuocTichKhac, meQuocTichKhacStr, meLoaiCuTru, meNoiCuTru, meLoaiGiayToTuyThan,
meSoGiayToTuyThan, chaSoDinhDanhCaNhan, chaHoTen, chaNgaySinh, chaDanToc, chaQuocTich, chaQuocTichStr,
chaQuocTichKhac, chaQuocTichKhacStr, chaLoaiCuTru, chaNoiCuTru, chaLoaiGiayToTuyThan, chaSoGiayToTuyThan,
nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac, nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan,
nycNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy`
  .split(',')
  .map((s) => s.trim());

const REGISTER = ['so', 'quyenSo', 'trangSo', 'ngayDangKy', 'loaiDangKy', 'noiDangKy', 'nguoiKy', 'chucVuNguoiKy', 'nguoiThucHien', 'ghiChu'];
const block = (prefix: string, suffixes: string) => suffixes.split(',').map((s) => prefix + s.trim());
const KH_SPOUSE = 'HoTen, NgaySinh, DanToc, QuocTich, LoaiCuTru, NoiCuTru, LoaiGiayToTuyThan, SoGiayToTuyThan, NgayCapGiayToTuyThan, NoiCapGiayToTuyThan';
const CMC_PARTY =
  'HoTen, NgaySinh, DanToc, QuocTich, QueQuan, LoaiCuTru, NoiCuTru, LoaiGiayToTuyThan, SoGiayToTuyThan, NgayCapGiayToTuyThan, NoiCapGiayToTuyThan';
const names = (t: RegisterType) => templates[t].columns.filter((c) => !c.technical).map((c) => c.name);

describe('entry templates', () => {
  it('every template definition is valid (zod), with the technical columns optional at the end', () => {
    for (const t of RegisterType.options) {
      const def = TemplateDef.parse(templates[t]);
      expect(def.registerType).toBe(t);
      const last2 = def.columns.slice(-2);
      expect(last2.map((c) => [c.name, c.technical, c.required])).toEqual([
        ['TenFile', true, false],
        ['NamMoSo', true, false],
      ]);
      const required = def.columns.filter((c) => c.required).map((c) => c.name);
      expect(required).toEqual(expect.arrayContaining(['so', 'quyenSo', 'ngayDangKy']));
      expect(
        required.some((n) => n.endsWith('HoTen')),
        `${t} requires the main person's name`,
      ).toBe(true);
    }
  });

  it('KS has the Ministry 70 columns in order', () => {
    expect(KS_MINISTRY).toHaveLength(70);
    expect(names('KS')).toEqual(KS_MINISTRY);
    expect(templates.KS.source).toBe('ministry');
  });

  it('KH, KT and CMC are the register block then the person blocks of domain.md', () => {
    expect(names('KH')).toEqual([...REGISTER, ...block('chong', KH_SPOUSE), ...block('vo', KH_SPOUSE)]);
    expect(names('KT')).toEqual([
      ...REGISTER,
      ...block(
        'nkt',
        'HoTen, GioiTinh, NgaySinh, DanToc, QuocTich, LoaiCuTru, NoiCuTru, LoaiGiayToTuyThan, SoGiayToTuyThan, NgayCapGiayToTuyThan, NoiCapGiayToTuyThan, NgayChet, GioPhutChet, NoiChet, NguyenNhanChet',
      ),
      'gbtLoai',
      'gbtSo',
      'gbtNgay',
      'gbtCoQuanCap',
      ...block('nyc', 'HoTen, QuanHe, LoaiGiayToTuyThan, SoGiayToTuyThan, NgayCapGiayToTuyThan, NoiCapGiayToTuyThan'),
    ]);
    expect(names('CMC')).toEqual([
      ...REGISTER,
      'quyetDinhSo',
      'loaiXacNhan',
      ...block('cm', CMC_PARTY),
      ...block('nc', CMC_PARTY),
      ...block('nyc', 'HoTen, QHNguoiDuocNhan, LoaiGiayToTuyThan, SoGiayToTuyThan, NgayCapGiayToTuyThan, NoiCapGiayToTuyThan'),
    ]);
  });

  it('NCN, GH, TDCC follow our documented shape: register block + subject + counterpart + basis document', () => {
    for (const t of ['NCN', 'GH', 'TDCC'] as const) {
      const n = names(t);
      expect(templates[t].source).toBe('ours');
      expect(n.slice(0, 10)).toEqual(REGISTER);
      expect(n.slice(-3)).toEqual(['canCuSo', 'canCuNgay', 'canCuCoQuan']);
      expect(n.filter((x) => x.endsWith('HoTen')).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('code lists match domain.md §3', () => {
    const codes = (t: RegisterType, col: string) => templates[t].columns.find((c) => c.name === col)!.codes!.entries.map((e) => e.code);
    expect(codes('KS', 'loaiDangKy')).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(codes('KH', 'loaiDangKy')).toEqual(['1', '2']);
    expect(codes('KS', 'nksGioiTinh')).toEqual(['1', '2', '3']);
    expect(codes('KS', 'meLoaiGiayToTuyThan')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(codes('KS', 'nksLoaiKhaiSinh')).toEqual(['1', '2', '3', '4', '5']);
    expect(codes('KS', 'meLoaiCuTru')).toEqual(['0', '1', '2']);
    expect(codes('KT', 'gbtLoai')).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(danToc.entries).toHaveLength(54);
    expect(danToc.entries.slice(0, 3).map((e) => e.code)).toEqual(['Kinh', 'Tày', 'Thái']);
  });

  it('ethnic group spellings fold to distinct keys, so lenient matching is unambiguous', () => {
    const folds = danToc.entries.map((e) => foldKey(e.code));
    expect(new Set(folds).size).toBe(54);
    expect(canonicalCode(danToc, 'ba na')).toBe('Ba Na');
    expect(canonicalCode(danToc, 'Bana')).toBe('Ba Na');
    expect(canonicalCode(danToc, 'KINH')).toBe('Kinh');
    expect(canonicalCode(danToc, '01')).toBe('Kinh');
    expect(canonicalCode(danToc, 'Hmông')).toBe('Mông');
    expect(canonicalCode(danToc, 'Thai')).toBe('Thái');
    expect(canonicalCode(danToc, 'Tay')).toBe('Tày');
    expect(canonicalCode(danToc, 'Người sao Hỏa')).toBeUndefined();
    expect(canonicalCode(gioiTinh, 'Nữ')).toBe('2');
    expect(canonicalCode(gioiTinh, '01')).toBe('1');
    expect(canonicalCode(loaiGiayToTuyThan, 'CCCD')).toBe('4');
    for (const l of codeLists) expect(new Set(l.entries.map((e) => e.code)).size, l.id).toBe(l.entries.length);
  });

  it('every rule id carries its severity as prefix and a Vietnamese message', () => {
    for (const [id, r] of Object.entries(rules)) {
      expect(id.startsWith(r.severity === 'error' ? 'E-' : 'W-'), id).toBe(true);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
});

describe('docs/entry-template.md', () => {
  it('lists every rule with its severity and message', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/entry-template.md', import.meta.url), 'utf8');
    // Table cells compared without their padding (a formatter may align the columns).
    const rows = doc.split('\n').map((l) => l.replace(/\s*\|\s*/g, '|'));
    for (const [id, r] of Object.entries(rules)) expect(rows, id).toContain(`|\`${id}\`|${r.severity}|${r.scope}|${r.message.replace(/\|/g, '\\|')}|`);
  });
});
