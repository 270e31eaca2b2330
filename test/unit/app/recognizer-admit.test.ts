// Recognizer admission as the SIP ingress sees it: all streams of a call or none; a plain call over
// the limit is refused with 503 + Retry-After, a SIPREC session is answered without live
// recognition; releasing a call's lease admits the next one.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { admitByRecognizers } from '../../../src/app/recognizer-admit.js';
import { RecognizerAdmission } from '../../../src/session/index.js';
import { SipRejection } from '../../../src/sip/dialog/index.js';

const source = { transport: 'udp', address: '127.0.0.1', port: 5060 } as const;

it('admits while streams fit, then refuses plain calls with 503 and Retry-After', () => {
  const admission = new RecognizerAdmission({ limit: 3 });
  const admit = admitByRecognizers(admission);
  const siprec = admit({ siprec: true, audioStreams: 2, source });
  assert.equal(siprec.transcribe, true);
  assert.equal(admission.inUse, 2);
  const plain = admit({ siprec: false, audioStreams: 1, source });
  assert.equal(plain.transcribe, true);
  assert.equal(admission.inUse, 3);

  assert.throws(
    () => admit({ siprec: false, audioStreams: 1, source }),
    (error: unknown) =>
      error instanceof SipRejection &&
      error.status === 503 &&
      error.headers.some((h) => h.name === 'Retry-After' && Number(h.value) > 0),
  );
  assert.equal(admission.refused, 1);

  // Releasing twice gives the streams back once.
  plain.release?.();
  plain.release?.();
  assert.equal(admission.inUse, 2);
  assert.equal(admit({ siprec: false, audioStreams: 1, source }).transcribe, true);
});

it('a SIPREC session over the limit is answered without live recognition and holds nothing', () => {
  const admission = new RecognizerAdmission({ limit: 1 });
  const admit = admitByRecognizers(admission);
  const refused = admit({ siprec: true, audioStreams: 2, source });
  assert.equal(refused.transcribe, false);
  assert.equal(admission.inUse, 0);
  assert.equal(admission.refused, 1);
  refused.release?.();
  assert.equal(admission.inUse, 0);
});
