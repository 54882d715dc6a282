// Every chart's data as a CSV file, built from the API's answer (exact figures, credits as exact strings).

function cell(value) {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (s !== '' && '=+-@'.includes(s[0]) && !/^-?\d/.test(s)) s = `'${s}`; // no spreadsheet formulas
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header, rows) {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}

/** Offers `text` as a download named `name` (a blob: link; no server round trip). */
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
