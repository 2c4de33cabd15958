// piranha's send/expect strings carry \r \n \t \\ escapes as written in lvs.cf.
export function unescape(text: string): string {
  return text.replace(/\\([rnt\\0])/g, (_m, c: string) =>
    c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : c === '0' ? '\0' : '\\',
  );
}
