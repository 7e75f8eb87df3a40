/**
 * Names real folders hold that trip up naive code: path separators, dot segments, unicode in several
 * normal forms, right-to-left text, control-looking characters, quotes, and Drive's long names.
 */
export const ODD_NAMES: readonly string[] = [
  "a/b.jpg",
  "../../etc/passwd.jpg",
  "..",
  ".",
  ".hidden.png",
  "C:\\Windows\\win.ini.jpg",
  "caf\u00e9.jpg",
  "cafe\u0301.jpg",
  "日本語の写真.jpg",
  "😀 emoji 🎉.png",
  "\u202egpj.exe",
  "tab\tand newline\n.jpg",
  'quote\'s "double".jpg',
  "percent %2F and %00.jpg",
  "   spaces around   .jpg",
  "no extension",
  "x".repeat(300) + ".jpg",
];
