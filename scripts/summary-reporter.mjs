// A node:test reporter that prints nothing but one closing line: "tests: N passed, N failed, N skipped".
// Only tests count (not suites, not the per-file wrappers), so the numbers match what was asserted;
// a suite skipped as a whole counts as one skipped.
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { details, skip, todo } = event.data;
    if (details?.type === 'suite') {
      // A suite skipped as a whole (for example a model that is absent) counts once as skipped.
      if (skip) skipped += 1;
      continue;
    }
    if (event.data.nesting === 0 && /\.test\.ts$/.test(event.data.name)) {
      // The file itself: counts only if the file failed outside any test (e.g. a syntax error).
      if (event.type === 'test:fail') failed += 1;
      continue;
    }
    if (skip || todo) skipped += 1;
    else if (event.type === 'test:pass') passed += 1;
    else failed += 1;
  }
  yield `\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
