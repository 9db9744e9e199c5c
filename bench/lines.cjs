'use strict';
// Reads an NDJSON file line by line in chunks: the --full profile's generated file is over 1 GB,
// more than one JavaScript string can hold, so no reader may load it whole.
const { closeSync, openSync, readSync } = require('node:fs');

/** Each non-empty line of the file with its index, read 16 MiB at a time as the caller pulls. */
function* linesOf(file) {
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
        if (nl > start) yield { line: data.toString('utf8', start, nl), index: index++ };
        start = nl + 1;
      }
      carry = Buffer.from(data.subarray(start));
      if (read === 0) {
        if (carry.length > 0) yield { line: carry.toString('utf8'), index: index++ };
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Calls `visit(line, index)` for each non-empty line until it returns false or the file ends. */
function forEachLine(file, visit) {
  for (const { line, index } of linesOf(file)) if (visit(line, index) === false) return;
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
  // Read only as the caller pulls: readline's async iterator read the file ahead of a slow
  // consumer (the sealing import), holding gigabytes of lines (issue 22: the claim cycle's import
  // peaked at 2.6 GiB at 40,000 families).
  for (const { line, index } of linesOf(file)) {
    if (index < from) continue;
    if (index >= to) return;
    yield { index, value: JSON.parse(line) };
  }
}

module.exports = { forEachLine, readLines, streamLines };
