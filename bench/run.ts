/**
 * `npm run bench` prints the one performance report (`--quick` for a smoke run with fewer messages,
 * `--markdown` for a table to paste into docs); `npm run bench -- <suite>...` runs bench/<suite>*.bench.ts.
 */
const args = process.argv.slice(2);
const suites = args.filter((a) => !a.startsWith('-'));
if (suites.length === 0) {
  const { runReport } = await import('./report/main.js');
  await runReport({ quick: args.includes('--quick'), markdown: args.includes('--markdown') });
} else {
  const { runSuites } = await import('./suites.js');
  await runSuites(suites);
}
