/**
 * Runs the benchmarks named on the command line (default: all). Never part of `npm test`.
 *   npm run bench            # all
 *   npm run bench -- media   # one
 *   npm run bench -- speech-8k   # the telephone-band table of `speech` alone
 *   npm run bench -- speech-isolation   # decoders in threads vs child processes (also in `speech`)
 */
const suites: Record<string, () => Promise<void>> = {
  media: async () => (await import('./media.js')).runMediaBench(),
  speech: async () => (await import('./speech.js')).runSpeechBench(),
  'speech-8k': async () => (await import('./speech-telephone.js')).runTelephoneBench(),
  'speech-isolation': async () => (await import('./speech-isolation.js')).runIsolationBench(),
  rtp: async () => (await import('./rtp-endpoint.js')).rtpEndpointBench(),
  sip: async () => (await import('./sip.js')).runSipBench(),
  'sip-accuracy': async () => (await import('./sip-accuracy.js')).runSipAccuracyBench(),
  api: async () => (await import('./api.js')).runApiBench(),
};

// Arguments starting with -- are options for the suites (e.g. `sip --quick`), not suite names.
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
for (const name of wanted.length > 0 ? wanted : Object.keys(suites)) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  await suite();
}
