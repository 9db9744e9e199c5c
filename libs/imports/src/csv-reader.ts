/**
 * Reads a partner's CSV file (RFC 4180 as spreadsheets and partner systems write it): UTF-8 with or
 * without a byte-order mark, CRLF or LF line ends, fields quoted with `"` (a quote doubled inside),
 * line breaks inside quoted fields. Each record keeps the line its first character is on, so a
 * refusal can name it. Blank lines are skipped.
 */
export interface CsvRecord {
  /** 1-based line number of the record's first character in the file (the header is line 1). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Decodes the file's bytes as UTF-8, dropping a leading byte-order mark. */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The records of a CSV text, in order. An unclosed quote is a syntax error naming the line it opened on. */
export function* csvRecords(text: string): Generator<CsvRecord> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const startLine = line;
    // Most lines hold no quote: split them at once.
    let end = source.indexOf('\n', i);
    if (end < 0) end = n;
    const plain = source.slice(i, end > i && source[end - 1] === '\r' ? end - 1 : end);
    if (!plain.includes('"') && !plain.includes('\r')) {
      i = end + 1;
      line += 1;
      if (plain.trim() === '') continue;
      yield { line: startLine, fields: plain.split(',') };
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let fieldStarted = false;
    let ended = false;
    while (i < n && !ended) {
      const c = source[i];
      if (quoted) {
        if (c === '"') {
          if (source[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i += 1;
          }
        } else {
          if (c === '\n') line += 1;
          field += c;
          i += 1;
        }
        continue;
      }
      if (c === '"' && !fieldStarted) {
        quoted = true;
        fieldStarted = true;
        i += 1;
      } else if (c === ',') {
        fields.push(field);
        field = '';
        fieldStarted = false;
        i += 1;
      } else if (c === '\r' || c === '\n') {
        i += c === '\r' && source[i + 1] === '\n' ? 2 : 1;
        line += 1;
        ended = true;
      } else {
        field += c;
        fieldStarted = true;
        i += 1;
      }
    }
    if (quoted) throw new CsvSyntaxError(startLine, `line ${startLine}: a quoted field is never closed`);
    fields.push(field);
    if (fields.length === 1 && fields[0]?.trim() === '') continue;
    yield { line: startLine, fields };
  }
}
