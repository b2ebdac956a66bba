/** Birth register (khai sinh): the Ministry's 70 columns, in order (domain.md §5), then the technical columns. */

import { danToc, gioiTinh, loaiCuTru, loaiDangKyKS, loaiGiayToTuyThan, nksLoaiKhaiSinh } from '../codes.js';
import type { TemplateDef } from '../columns.js';
import { col, LEN, personBlock, registerBlock, technicalColumns } from './blocks.js';

/** The mother's and the father's blocks have the same shape. */
function parent(p: 'me' | 'cha', role: string) {
  return [
    col(`${p}SoDinhDanhCaNhan`, `Số định danh cá nhân (${role})`, 'idNumber'),
    col(`${p}HoTen`, `Họ, chữ đệm và tên (${role})`, 'text', { maxLength: LEN.name }),
    col(`${p}NgaySinh`, `Ngày sinh (dd.mm.yyyy hoặc yyyy) (${role})`, 'dateOrYear'),
    col(`${p}DanToc`, `Dân tộc (${role})`, 'code', { codes: danToc }),
    col(`${p}QuocTich`, `Quốc tịch (${role})`, 'text', { maxLength: 100 }),
    col(`${p}QuocTichStr`, `Quốc tịch, ghi bằng chữ (${role})`, 'text', { maxLength: 100 }),
    col(`${p}QuocTichKhac`, `Quốc tịch khác (${role})`, 'text', { maxLength: 100 }),
    col(`${p}QuocTichKhacStr`, `Quốc tịch khác, ghi bằng chữ (${role})`, 'text', { maxLength: 100 }),
    col(`${p}LoaiCuTru`, `Loại cư trú (${role})`, 'code', { codes: loaiCuTru }),
    col(`${p}NoiCuTru`, `Nơi cư trú (${role})`, 'text', { maxLength: LEN.place }),
    col(`${p}LoaiGiayToTuyThan`, `Loại giấy tờ tùy thân (${role})`, 'code', { codes: loaiGiayToTuyThan }),
    col(`${p}SoGiayToTuyThan`, `Số giấy tờ tùy thân (${role})`, 'idNumber'),
  ];
}

const child = 'người được khai sinh';

export const ksTemplate: TemplateDef = {
  registerType: 'KS',
  source: 'ministry',
  columns: [
    col('STT', 'Số thứ tự', 'integer'),
    ...registerBlock(loaiDangKyKS),
    col('nksSoDinhDanh', `Số định danh cá nhân (${child})`, 'idNumber'),
    col('nksHoTen', `Họ, chữ đệm và tên (${child})`, 'text', { required: true, maxLength: LEN.name }),
    col('nksGioiTinh', `Giới tính (${child})`, 'code', { codes: gioiTinh }),
    col('nksNgaySinh', `Ngày sinh (dd.mm.yyyy hoặc yyyy) (${child})`, 'dateOrYear'),
    col('nksNgaySinhBangChu', `Ngày sinh ghi bằng chữ (${child})`, 'text'),
    col('nksNoiSinh', `Nơi sinh (${child})`, 'text', { maxLength: LEN.place }),
    col('nksNoiSinhDVHC', `Nơi sinh: đơn vị hành chính (${child})`, 'text'),
    col('nksQueQuan', `Quê quán (${child})`, 'text', { maxLength: LEN.place }),
    col('nksDanToc', `Dân tộc (${child})`, 'code', { codes: danToc }),
    col('nksQuocTich', `Quốc tịch (${child})`, 'text', { maxLength: 100 }),
    col('nksQuocTichStr', `Quốc tịch, ghi bằng chữ (${child})`, 'text', { maxLength: 100 }),
    col('nksQuocTichKhac', `Quốc tịch khác (${child})`, 'text', { maxLength: 100 }),
    col('nksQuocTichKhacStr', `Quốc tịch khác, ghi bằng chữ (${child})`, 'text', { maxLength: 100 }),
    col('nksLoaiKhaiSinh', 'Loại khai sinh', 'code', { codes: nksLoaiKhaiSinh }),
    col('nksMatTich', 'Tuyên bố mất tích', 'text'),
    col('nksMatTichNgayGhiChuTuyenBo', 'Ngày ghi chú tuyên bố mất tích (dd.mm.yyyy)', 'date'),
    col('nksMatTichCanCuTuyenBo', 'Căn cứ tuyên bố mất tích', 'text'),
    col('nksMatTichNgayGhiChuHuyTuyenBo', 'Ngày ghi chú hủy tuyên bố mất tích (dd.mm.yyyy)', 'date'),
    col('nksMatTichCanCuHuyTuyenBo', 'Căn cứ hủy tuyên bố mất tích', 'text'),
    col('nksHanCheNangLucHanhVi', 'Tuyên bố hạn chế năng lực hành vi dân sự', 'text'),
    col('nksHanCheNangLucHanhViNgayGhiChuTuyenBo', 'Ngày ghi chú tuyên bố hạn chế năng lực hành vi (dd.mm.yyyy)', 'date'),
    col('nksHanCheNangLucHanhViCanCuTuyenBo', 'Căn cứ tuyên bố hạn chế năng lực hành vi', 'text'),
    col('nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo', 'Ngày ghi chú hủy tuyên bố hạn chế năng lực hành vi (dd.mm.yyyy)', 'date'),
    // The Ministry spells this one "NgayCanCu" but it is the basis document, like its siblings: text.
    col('nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo', 'Căn cứ hủy tuyên bố hạn chế năng lực hành vi', 'text'),
    ...parent('me', 'mẹ'),
    ...parent('cha', 'cha'),
    ...personBlock('nyc', 'người đi khai sinh', ['HoTen', 'QuanHe', 'LoaiGiayToTuyThan']),
    col('nycGiayToKhac', 'Giấy tờ khác (người đi khai sinh)', 'text'),
    ...personBlock('nyc', 'người đi khai sinh', ['SoGiayToTuyThan', 'NgayCapGiayToTuyThan', 'NoiCapGiayToTuyThan']),
    col('soDangKyNuocNgoai', 'Số đăng ký ở nước ngoài', 'text', { maxLength: 100 }),
    col('ngayDangKyNuocNgoai', 'Ngày đăng ký ở nước ngoài (dd.mm.yyyy)', 'date'),
    col('cqNuocNgoaiDaDangKy', 'Cơ quan nước ngoài đã đăng ký', 'text'),
    col('qgNuocNgoaiDaDangKy', 'Quốc gia nơi đã đăng ký', 'text', { maxLength: 100 }),
    ...technicalColumns(),
  ],
};
