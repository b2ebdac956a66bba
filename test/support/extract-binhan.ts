/**
 * The police's register extract of Xã Bình An (90101), one for every test that uploads one. Tests run in
 * parallel on one stack and a commune has one current extract (the newest): if each test uploaded its own
 * people, a book could be matched against another test's extract. With one population for all, every
 * book's outcomes are the same whichever copy is current.
 *
 * reconciliation.e2e: Mai exactly; Khôi with day and month swapped; Bảo absent; An and Hồng unrelated.
 * personal-data-in-logs.e2e: Diệp (with her parents) and Vinh.
 */
export const binhAnExtractCsv = [
  'SoDinhDanh;HoTen;GioiTinh;NgaySinh;HoTenCha;NamSinhCha;HoTenMe;NamSinhMe;SoCMND;NoiCuTru',
  '001318000111;Trần Thị Mai;2;12.03.2018;Trần Văn Hùng;1985;Lê Thị Lan;1988;;Xã Bình An',
  '001218000222;Phạm Minh Khôi;1;07.05.2018;Phạm Văn Nam;1980;Ngô Thị Hoa;1982;;Xã Bình An',
  '001218000333;Nguyễn Văn An;1;01.01.2018;Nguyễn Văn Bình;1975;Trần Thị Cúc;1978;;Xã Bình An',
  '001318000444;Lê Thị Hồng;2;15.06.2017;Lê Văn Sơn;1970;Phan Thị Dung;1972;;Xã Bình An',
  '079318004321;Hoàng Thị Ngọc Diệp;2;23.09.2018;Hoàng Văn Quyết;1986;Bùi Thị Thoa;1990;;',
  '079218004322;Lương Thế Vinh;1;14.11.2018;;;;;;',
].join('\n');
