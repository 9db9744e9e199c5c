'use strict';
// Reads an NDJSON file line by line in chunks: the --full profile's generated file is over 1 GB,
// more than one JavaScript string can hold, so no reader may load it whole.
const { closeSync, openSync, readSync } = require('node:fs');

/** Calls `visit(line, index)` for each non-empty line until it returns false or the file ends. */
function forEachLine(file, visit) {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  let carry = Buffer.alloc(0);
  let index = 0;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      const data = read > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : carry;
      let start = 0;
      for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
        if (nl > start && visit(data.toString('utf8', start, nl), index++) === false) return;
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      if (read === 0) {
        if (carry.length > 0) visit(carry.toString('utf8'), index++);
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Lines [from, to) parsed as JSON. */
function readLines(file, from, to) {
  const out = [];
  forEachLine(file, (line, i) => {
    if (i >= to) return false;
    if (i >= from) out.push(JSON.parse(line));
    return true;
  });
  return out;
}

/** Lines [from, to) parsed as JSON, streamed (for files too large to hold: the --national log). */
async function* streamLines(file, from, to) {
  const { createInterface } = require('node:readline');
  const { createReadStream } = require('node:fs');
  let index = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.length === 0) continue;
    const i = index++;
    if (i < from) continue;
    if (i >= to) return;
    yield { index: i, value: JSON.parse(line) };
  }
}

module.exports = { forEachLine, readLines, streamLines };
