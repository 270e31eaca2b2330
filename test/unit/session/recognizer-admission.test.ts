import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RECOGNIZER_RTF,
  RecognizerAdmission,
  RecognizerSpeed,
  recognizerAdmissionFor,
  recognizerBacklogMs,
  recognizerLimit,
} from '../../../src/session/index.js';

describe('RecognizerAdmission', () => {
  it('grants leases while the streams fit, refuses beyond the limit, all or nothing', () => {
    const admission = new RecognizerAdmission({ limit: 4 });
    const sip = admission.tryAcquire(1);
    const siprec = admission.tryAcquire(2);
    assert.ok(sip !== undefined && siprec !== undefined);
    assert.equal(admission.inUse, 3);
    // Two legs do not fit in the one stream left: nothing is taken.
    assert.equal(admission.tryAcquire(2), undefined);
    assert.equal(admission.inUse, 3);
    assert.equal(admission.refused, 1);
    const last = admission.tryAcquire(1);
    assert.ok(last !== undefined);
    assert.equal(admission.inUse, 4);
    assert.equal(admission.tryAcquire(1), undefined);
    siprec.release();
    assert.equal(siprec.released, true);
    assert.equal(admission.inUse, 2);
    assert.ok(admission.tryAcquire(2) !== undefined);
    assert.equal(admission.inUse, 4);
  });

  it('releases a lease once, however often release is called', () => {
    const admission = new RecognizerAdmission({ limit: 2 });
    const a = admission.tryAcquire(1)!;
    const b = admission.tryAcquire(1)!;
    a.release();
    a.release();
    a.release();
    assert.equal(admission.inUse, 1, 'b still holds its stream');
    b.release();
    assert.equal(admission.inUse, 0);
  });

  it('keeps granted leases when the limit is lowered, and admits again once under it', () => {
    const admission = new RecognizerAdmission({ limit: 3 });
    const leases = [admission.tryAcquire(1)!, admission.tryAcquire(1)!, admission.tryAcquire(1)!];
    admission.setLimit(1);
    assert.equal(admission.limit, 1);
    assert.equal(admission.inUse, 3);
    assert.equal(admission.tryAcquire(1), undefined);
    leases[0]!.release();
    leases[1]!.release();
    assert.equal(admission.tryAcquire(1), undefined, 'one stream is in use, the limit is one');
    leases[2]!.release();
    assert.ok(admission.tryAcquire(1) !== undefined);
  });

  it('admits nothing with limit 0 and rejects nonsense', () => {
    assert.equal(new RecognizerAdmission({ limit: 0 }).tryAcquire(1), undefined);
    assert.throws(() => new RecognizerAdmission({ limit: -1 }), /whole number/);
    assert.throws(() => new RecognizerAdmission({ limit: 1.5 }), /whole number/);
    assert.throws(() => new RecognizerAdmission({ limit: 1 }).tryAcquire(-1), /whole number/);
  });
});

describe('recognizerLimit', () => {
  it('derives streams from the cores and the measured cost, and a configured limit wins', () => {
    // 2 cores × 0.8 / 0.35 = 4.57: four pocketsphinx streams on the test machine's two cores.
    assert.equal(recognizerLimit({ cores: 2, rtf: 0.35 }), 4);
    assert.equal(recognizerLimit({ cores: 8, rtf: 0.1 }), 64);
    assert.equal(recognizerLimit({ cores: 2, rtf: 0.4, utilization: 1 }), 5);
    // An engine slower than real time still gets one stream: refusing everything helps nobody.
    assert.equal(recognizerLimit({ cores: 1, rtf: 3 }), 1);
    assert.equal(recognizerLimit({ cores: 2, rtf: 0.35, configured: 10 }), 10);
    assert.equal(recognizerLimit({ cores: 2, rtf: DEFAULT_RECOGNIZER_RTF }), recognizerLimit({ cores: 2 }));
  });
});

describe('recognizerAdmissionFor', () => {
  it('follows the measured speed unless a limit is configured', () => {
    const speed = new RecognizerSpeed({ initialRtf: 0.35 });
    const derived = recognizerAdmissionFor(speed, { cores: 2 });
    const fixed = recognizerAdmissionFor(speed, { cores: 2, configured: 6 });
    assert.equal(derived.limit, 4);
    // The machine turns out slower: 0.8 per stream → 2 × 0.8 / 0.8 = 2 streams.
    speed.observe({ audioMs: 30_000, processingMs: 24_000 });
    assert.equal(derived.limit, 2);
    assert.equal(fixed.limit, 6);
  });
});

describe('RecognizerSpeed and recognizerBacklogMs', () => {
  it('replaces the assumed RTF with the first report, then follows reports weighted by their audio', () => {
    const speed = new RecognizerSpeed({ initialRtf: 0.35 });
    assert.equal(speed.rtf, 0.35);
    speed.observe({ audioMs: 500, processingMs: 400 });
    assert.equal(speed.rtf, 0.35, 'under a second of audio says too little');
    speed.observe({ audioMs: 60_000, processingMs: 12_000 });
    assert.equal(speed.rtf, 0.2);
    // A one-minute stream at 0.6 moves the estimate halfway.
    speed.observe({ audioMs: 60_000, processingMs: 36_000 });
    assert.ok(Math.abs(speed.rtf - 0.4) < 1e-9);
    assert.equal(speed.samples, 2);
  });

  it('sizes the backlog so it is worked off within the catch-up time, within its floor and ceiling', () => {
    // rtf 0.5 decodes 2 s per s: a backlog shrinks by 1 s per s, so 10 s in 10 s.
    assert.equal(recognizerBacklogMs({ rtf: 0.5 }), 10_000);
    assert.equal(recognizerBacklogMs({ rtf: 0.35 }), 18_571);
    assert.equal(recognizerBacklogMs({ rtf: 0.05 }), 30_000);
    assert.equal(recognizerBacklogMs({ rtf: 0.9 }), 5_000);
    // At or beyond real time nothing is ever worked off: the floor, still a bound.
    assert.equal(recognizerBacklogMs({ rtf: 1.5 }), 5_000);
    assert.equal(recognizerBacklogMs({ rtf: Number.NaN }), 5_000);
    assert.equal(recognizerBacklogMs({ rtf: 0.25, catchUpMs: 2_000, minMs: 1_000, maxMs: 60_000 }), 6_000);
  });
});
