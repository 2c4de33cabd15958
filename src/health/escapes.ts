// piranha's send/expect strings carry \r \n \t \\ escapes as written in lvs.cf; \xNN is a
// byte (keepalived's UDP_CHECK payload and require_reply are hex, imported as \xNN).
export function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|[rnt\\0])/g, (_m, c: string) =>
    c[0] === 'x' ? String.fromCharCode(parseInt(c.slice(1), 16)) : c === 'r' ? '\r' : c === 'n' ? '\n' : c === 't' ? '\t' : c === '0' ? '\0' : '\\',
  );
}
